// Package wechat connects the conversation engine to a WeChat service
// account (公众号/服务号) through github.com/silenceper/wechat/v2: callbacks
// at /wechat in safe (encrypted) mode, answered within WeChat's 5 seconds
// where the engine is that quick and otherwise through the
// customer-service API; reminders as template messages once the
// resident's 48 hours are over; the access token shared through
// PostgreSQL. It only translates; the engine, outreach and handoff know
// nothing of WeChat.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/internal/config"
)

// WeChat is the channel as bot/resident assembles it: on when
// WECHAT_APP_ID is set.
var WeChat = bot.Channel{
	Name: Channel,
	Sender: func(_ context.Context, s bot.Setup) (bot.ChannelSender, error) {
		if s.Config.WeChat.AppID == "" {
			return nil, nil
		}
		return NewSender(s.Pool, s.Config.WeChat)
	},
	Receive: func(_ context.Context, s bot.Setup, out bot.ChannelSender) (bot.Receiver, error) {
		snd, ok := out.(*Sender)
		if !ok {
			return nil, errors.New("wechat: the sender is not WeChat's")
		}
		return NewReceiver(s.Engine, snd, Options{Path: s.Config.WeChat.Path, Logger: s.Logger}), nil
	},
}

// NewSender builds the sender for the account's settings.
func NewSender(pool *pgxpool.Pool, c config.WeChat) (*Sender, error) {
	if pool == nil {
		return nil, errors.New("wechat: a database pool is required (the access token is kept there)")
	}
	if c.AppID == "" || c.AppSecret == "" || c.Token == "" || c.AESKey == "" {
		return nil, errors.New("WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_TOKEN and WECHAT_AES_KEY: all required")
	}
	if err := useAPI(c.APIURL); err != nil {
		return nil, err
	}
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: c.AppID, AppSecret: c.AppSecret, Token: c.Token, EncodingAESKey: c.AESKey,
		// Required by the SDK, unused: the token lives in PostgreSQL.
		Cache: cache.NewMemory(),
	})
	tk := &tokens{pool: pool, appID: c.AppID, secret: c.AppSecret}
	oa.SetAccessTokenHandle(tk)
	return &Sender{oa: oa, tokens: tk, templates: c.Templates}, nil
}

// Options configure the receiver.
type Options struct {
	Path string // default /wechat
	// ReplyWithin is how long a callback waits for the engine before
	// acknowledging and sending the answer through the customer-service
	// API (default 4s: WeChat gives up at 5).
	ReplyWithin time.Duration
	// HandleTimeout bounds one event's handling (default 60s).
	HandleTimeout time.Duration
	Logger        *slog.Logger
}

// Receiver takes WeChat's callbacks.
type Receiver struct {
	engine bot.Handling
	out    *Sender
	opt    Options
	log    *slog.Logger
	// inflight counts handlings that outlived their callback, so Run
	// returns only after their answers are sent.
	inflight sync.WaitGroup
}

// NewReceiver returns the callback side.
func NewReceiver(engine bot.Handling, out *Sender, opt Options) *Receiver {
	if opt.Path == "" {
		opt.Path = "/wechat"
	}
	if opt.ReplyWithin <= 0 {
		opt.ReplyWithin = 4 * time.Second
	}
	if opt.HandleTimeout <= 0 {
		opt.HandleTimeout = 60 * time.Second
	}
	r := &Receiver{engine: engine, out: out, opt: opt, log: opt.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// Mount registers the callback: GET for WeChat's URL check, POST for
// messages and events.
func (rc *Receiver) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+rc.opt.Path, rc)
	mux.Handle("POST "+rc.opt.Path, rc)
}

// Run waits for ctx to end and then for answers still being sent.
func (rc *Receiver) Run(ctx context.Context) error {
	<-ctx.Done()
	rc.inflight.Wait()
	return nil
}

// ServeHTTP checks the signature, decrypts, hands the event to the engine
// and answers. A request whose signature is wrong is refused with 403 and
// logged without its body.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	srv := rc.out.oa.GetServer(r, w)
	handled, replied := false, false
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		handled = true
		reply := rc.handle(r.Context(), m)
		replied = reply != nil
		return reply
	})
	if err := srv.Serve(); err != nil {
		rc.log.Warn("wechat: callback refused", "remote", r.RemoteAddr, "reason", err.Error())
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if !handled {
		return // the URL check (echostr), answered by Serve
	}
	if !replied {
		// "success" acknowledges without a reply; in safe mode the SDK
		// would otherwise encrypt an empty message.
		_, _ = io.WriteString(w, "success")
		return
	}
	if err := srv.Send(); err != nil {
		rc.log.Error("wechat: write reply", "err", err)
	}
}

// toEvent translates a callback; ok is false for events the bot ignores
// (menu links, locations reported, template delivery reports).
func toEvent(m *message.MixMessage) (ev bot.Event, quiet, ok bool) {
	from := string(m.FromUserName)
	if from == "" {
		return ev, false, false
	}
	ev.Address.Channel, ev.Address.ID = Channel, from
	// WeChat retries a callback up to three times: the message id, or for
	// events sender and time, makes the retries one event.
	if m.MsgID != 0 {
		ev.EventID = "wx:" + strconv.FormatInt(m.MsgID, 10)
	} else {
		ev.EventID = "wx:" + from + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + string(m.Event)
	}
	switch m.MsgType {
	case message.MsgTypeText:
		ev.Kind, ev.Text = bot.KindText, m.Content
	case message.MsgTypeImage:
		ev.Kind = bot.KindPhoto
	case message.MsgTypeVoice:
		ev.Kind = bot.KindVoice
	case message.MsgTypeEvent:
		ev.Kind = bot.KindText
		switch m.Event {
		case message.EventSubscribe:
			// Following by a binding letter's QR code carries its scene.
			ev.Text = strings.TrimSpace("/start " + strings.TrimPrefix(m.EventKey, "qrscene_"))
		case message.EventScan:
			ev.Text = "/start " + m.EventKey
		case message.EventUnsubscribe:
			// Unfollowing is opting out; nothing can be said to them now.
			ev.Text, quiet = "/stop", true
		case message.EventClick:
			// Menu keys are the bot's commands: check, contact, help, stop.
			ev.Text = "/" + strings.TrimPrefix(m.EventKey, "/")
		default:
			return ev, false, false
		}
	default:
		ev.Kind = bot.KindOther
	}
	return ev, quiet, true
}

// handle runs the engine for one callback. The answer goes back as the
// callback's reply when it is ready within ReplyWithin and is one message;
// otherwise the callback is acknowledged and the answer sent through the
// customer-service API when ready.
func (rc *Receiver) handle(ctx context.Context, m *message.MixMessage) *message.Reply {
	ev, quiet, ok := toEvent(m)
	if !ok {
		return nil
	}
	var (
		mu    sync.Mutex
		late  bool
		ready = make(chan bot.Result, 1)
	)
	rc.inflight.Add(1)
	go func() {
		defer rc.inflight.Done()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rc.opt.HandleTimeout)
		defer cancel()
		res, err := rc.engine.Handle(hctx, ev)
		if err != nil {
			rc.log.Error("wechat: handle event", "err", err)
		}
		mu.Lock()
		if !late {
			ready <- res
			mu.Unlock()
			return
		}
		mu.Unlock()
		if !quiet && !res.Duplicate {
			rc.sendAll(hctx, ev, res)
		}
	}()
	timer := time.NewTimer(rc.opt.ReplyWithin)
	defer timer.Stop()
	var res bot.Result
	select {
	case res = <-ready:
	case <-timer.C:
		mu.Lock()
		late = true
		select {
		case res = <-ready: // ready after all
			mu.Unlock()
		default:
			mu.Unlock()
			return nil // acknowledged; the answer follows by the customer-service API
		}
	}
	if quiet || res.Duplicate || len(res.Replies) == 0 {
		return nil
	}
	if len(res.Replies) == 1 && len([]rune(res.Replies[0].Text)) <= maxText {
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(res.Replies[0].Text)}
	}
	// Several messages: all by the API, in order, so none overtakes another.
	rc.inflight.Add(1)
	go func() {
		defer rc.inflight.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rc.opt.HandleTimeout)
		defer cancel()
		rc.sendAll(sctx, ev, res)
	}()
	return nil
}

func (rc *Receiver) sendAll(ctx context.Context, ev bot.Event, res bot.Result) {
	for _, r := range res.Replies {
		if _, err := rc.out.Send(ctx, ev.Address, r.Message); err != nil {
			rc.log.Error("wechat: send reply", "err", fmt.Sprint(err))
			return
		}
	}
}
