// Package resident assembles the resident-facing parts for `safetynet
// serve`: the conversation engine, the web chat, the Telegram adapter when
// a token is set, the handoff desk and the question log, with staff
// replies routed back to the right channel. serve only calls New, Mount
// and Run.
package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/clientip"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/questions"
)

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
	// Region ranks a region's documents first and skips the wizard's region
	// question ("" = ask).
	Region string
}

// Parts are the assembled resident side.
type Parts struct {
	Engine    *bot.Engine
	Desk      *handoff.Desk
	Questions *questions.Log
	Web       *webchat.Chat
	// Telegram is nil when TELEGRAM_BOT_TOKEN is not set.
	Telegram *telegram.Bot
	log      *slog.Logger
	locks    *pgxpool.Pool
}

// New builds the parts. With a Telegram token it connects to the Bot API
// (getMe), so a wrong token fails here, at start-up.
func New(ctx context.Context, o Options) (*Parts, error) {
	if o.Pool == nil || o.Answerer == nil {
		return nil, errors.New("resident: Pool and Answerer are required")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Parts{Desk: handoff.New(o.Pool, nil), Questions: questions.New(o.Pool), log: log}
	var metrics *bot.Metrics
	if o.Registerer != nil {
		var err error
		if metrics, err = bot.NewMetrics(o.Registerer); err != nil {
			return nil, fmt.Errorf("bot metrics: %w", err)
		}
	}
	cfg := bot.Config{
		Pool: o.Pool, Answerer: o.Answerer, Desk: p.Desk, Logger: log, Hotline: o.Config.Hotline,
		Region: o.Region, Metrics: metrics,
		Wizard: bot.EligibilityWizard{W: &eligibility.Wizard{DefaultRegion: o.Region, Hotline: o.Config.Hotline}},
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
	locked := bot.NewChatLock(eng, p.locks)
	p.Web = webchat.New(locked, o.Pool, log)
	p.Web.Deploy(webchat.Deployment{SecureCookies: o.Config.SecureCookies(), ClientIP: clientip.New(o.Config.TrustedProxies)})
	routes := handoff.Deliverers{bot.ChannelWeb: p.Web}
	if o.Config.TelegramToken != "" {
		p.Telegram, err = telegram.New(ctx, locked, telegram.Options{
			Token: o.Config.TelegramToken, APIURL: o.Config.TelegramAPIURL,
			WebhookURL: o.Config.TelegramWebhookURL, WebhookSecret: o.Config.TelegramWebhookSecret,
			Logger: log,
		})
		if err != nil {
			return nil, err
		}
		routes[bot.ChannelTelegram] = p.Telegram
	}
	p.Desk.SetDeliverer(routes)
	return p, nil
}

// Mount registers the web chat (GET /, /chat/api/…) and, in webhook mode,
// the Telegram webhook at its URL's path.
func (p *Parts) Mount(mux *http.ServeMux) {
	p.Web.Mount(mux)
	if p.Telegram != nil && p.Telegram.WebhookPath() != "" {
		mux.Handle("POST "+p.Telegram.WebhookPath(), p.Telegram.WebhookHandler())
	}
}

// Run receives Telegram updates (long polling, or the webhook's
// registration) and prunes old event ids, until ctx ends; it returns after
// the updates in hand are finished.
func (p *Parts) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.Engine.RunJanitor(gctx) })
	if p.Telegram != nil {
		g.Go(func() error { return p.Telegram.Run(gctx) })
	}
	err := g.Wait()
	p.locks.Close()
	return err
}
