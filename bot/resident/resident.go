// Package resident assembles the resident-facing parts for `safetynet
// serve`: the conversation engine, every configured channel, the handoff
// desk and the question log, with staff replies and reminders sent
// through one chat.Router over the channels. Adding a channel is one line
// in Channels.
package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/bot/wechat"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/questions"
)

// Channels are the channels the service knows; each is on when its
// settings are.
var Channels = []bot.Channel{
	webchat.Web,
	telegram.Telegram,
	wechat.WeChat,
}

// Senders opens the sender of every configured channel, for sending
// without the engine (outreach commands) or before it (serve).
func Senders(ctx context.Context, s bot.Setup) (map[string]bot.ChannelSender, error) {
	out := map[string]bot.ChannelSender{}
	for _, c := range Channels {
		snd, err := c.Sender(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		if snd != nil {
			out[c.Name] = snd
		}
	}
	return out, nil
}

// Limits are the pacing limits of each channel, by name.
func Limits(senders map[string]bot.ChannelSender) map[string]chat.Limits {
	out := make(map[string]chat.Limits, len(senders))
	for name, s := range senders {
		out[name] = s.Limits()
	}
	return out
}

// Router is a chat.Router over senders.
func Router(senders map[string]bot.ChannelSender) chat.Router {
	r := chat.Router{}
	for name, s := range senders {
		r[name] = s
	}
	return r
}

// regionsTTL is how soon a standard edited in the console reaches the
// chats' pre-checks.
const regionsTTL = 5 * time.Second

// Wizard is the chat's pre-check: the bureau's region profiles in force
// today, as /api/check uses them, re-read every few seconds rather than at
// every step. region, when set, is asked no more.
func Wizard(pool *pgxpool.Pool, cfg config.Config, region string) bot.EligibilityWizard {
	return bot.EligibilityWizard{W: &eligibility.Wizard{DefaultRegion: region, Hotline: cfg.Hotline},
		Regions: bot.RecentRegions(eligibility.NewStore(pool), regionsTTL), TZ: cfg.TZ}
}

// Options are what the resident parts need from serve.
type Options struct {
	Pool   *pgxpool.Pool
	Config config.Config
	Logger *slog.Logger
	// Registerer gets the bot's metrics; nil: none.
	Registerer prometheus.Registerer
	// Answerer is the knowledge base (*knowledge.Service). Required.
	Answerer bot.Answerer
	// Outreach, when set, handles /start CODE, /stop and reminder buttons.
	Outreach *outreach.Service
	// Senders are the channels' senders (Senders); nil: opened here.
	Senders map[string]bot.ChannelSender
	// Region ranks a region's documents first and skips the wizard's region
	// question ("" = ask).
	Region string
}

// Parts are the assembled resident side.
type Parts struct {
	Engine    *bot.Engine
	Desk      *handoff.Desk
	Questions *questions.Log
	// Out sends to any configured channel.
	Out       chat.Router
	receivers []bot.Receiver
	log       *slog.Logger
	locks     *pgxpool.Pool
}

// New builds the parts and opens every configured channel.
func New(ctx context.Context, o Options) (*Parts, error) {
	if o.Pool == nil || o.Answerer == nil {
		return nil, errors.New("resident: Pool and Answerer are required")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	setup := bot.Setup{Config: o.Config, Pool: o.Pool, Logger: log}
	senders := o.Senders
	if senders == nil {
		var err error
		if senders, err = Senders(ctx, setup); err != nil {
			return nil, err
		}
	}
	limits := Limits(senders)
	p := &Parts{Out: Router(senders), Questions: questions.New(o.Pool), log: log}
	p.Desk = handoff.New(o.Pool, p.Out)
	var metrics *bot.Metrics
	if o.Registerer != nil {
		var err error
		if metrics, err = bot.NewMetrics(o.Registerer); err != nil {
			return nil, fmt.Errorf("bot metrics: %w", err)
		}
	}
	cfg := bot.Config{
		Pool: o.Pool, Answerer: o.Answerer, Desk: p.Desk, Logger: log, Hotline: o.Config.Hotline,
		Region: o.Region, Metrics: metrics, Channels: limits,
		Wizard: Wizard(o.Pool, o.Config, o.Region),
	}
	if o.Outreach != nil {
		cfg.Enrolment = bot.OutreachEnrolment{S: o.Outreach}
	}
	eng, err := bot.New(cfg)
	if err != nil {
		return nil, err
	}
	p.Engine = eng
	// Several servers may share the database: a chat's turns take turns
	// across all of them (see bot.ChatLock), on a small pool of its own.
	lockCfg := o.Pool.Config().Copy()
	// Half the main pool: a turn waiting for a lock connection only
	// queues, and PostgreSQL's connections are shared by every process.
	lockCfg.MaxConns = max(2, o.Pool.Config().MaxConns/2)
	lockCfg.MinConns = 0
	if p.locks, err = pgxpool.NewWithConfig(ctx, lockCfg); err != nil {
		return nil, fmt.Errorf("chat locks: %w", err)
	}
	setup.Engine = bot.NewChatLock(eng, p.locks)
	for _, c := range Channels {
		snd, ok := senders[c.Name]
		if !ok || c.Receive == nil {
			continue
		}
		r, err := c.Receive(ctx, setup, snd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		p.receivers = append(p.receivers, r)
	}
	return p, nil
}

// Mount registers every channel's endpoints (the web chat's page, webhooks).
func (p *Parts) Mount(mux *http.ServeMux) {
	for _, r := range p.receivers {
		r.Mount(mux)
	}
}

// Run receives on every channel and prunes old event ids, until ctx ends;
// it returns after the events in hand are finished.
func (p *Parts) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.Engine.RunJanitor(gctx) })
	for _, r := range p.receivers {
		g.Go(func() error { return r.Run(gctx) })
	}
	err := g.Wait()
	p.locks.Close()
	return err
}
