// Package telegram connects the conversation engine to Telegram through
// github.com/go-telegram/bot: long polling by default, or a webhook that
// checks Telegram's secret header. It only translates: updates into
// bot.Events, results into messages (through its chat.Sender, the same one
// outreach and staff replies use), inline keyboards and callback answers.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/chat"
)

// SecretHeader is the header Telegram sends with every webhook request.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Handler is the conversation engine (*bot.Engine).
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) (bot.Result, error)
}

// Options configure the adapter; Token is required.
type Options struct {
	Token  string
	APIURL string // another Bot API server (TELEGRAM_API_URL); Telegram's own when empty
	// WebhookURL switches to webhook mode (TELEGRAM_WEBHOOK_URL); Secret
	// (TELEGRAM_WEBHOOK_SECRET) is then required.
	WebhookURL    string
	WebhookSecret string
	// Workers is how many chats are served at once (default 16). Updates of
	// one chat always go to the same worker, so they are handled in order.
	Workers int
	// PollTimeout is the long-poll wait (default 50s).
	PollTimeout time.Duration
	// TypingAfter: a reply that takes longer than this shows "typing…"
	// (default 300ms); negative shows it at once for every question.
	TypingAfter time.Duration
	// HandleTimeout bounds one update's handling, shutdown included (default 60s).
	HandleTimeout time.Duration
	Logger        *slog.Logger
}

// Bot is the Telegram side of the resident bot.
type Bot struct {
	api    *tg.Bot
	out    *Sender
	engine Handler
	opt    Options
	log    *slog.Logger
	path   string

	seed   maphash.Seed
	shards []chan *models.Update
	// inflight counts webhook updates being handled, so Run returns only
	// after they are done.
	inflight sync.WaitGroup
}

// ErrSecretRequired: webhook mode without a secret would accept updates
// from anyone who finds the URL.
var ErrSecretRequired = errors.New("TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set")

// New connects to the Bot API (getMe checks the token) and returns the
// adapter. Nothing is received until Run.
func New(ctx context.Context, engine Handler, opt Options) (*Bot, error) {
	if opt.Token == "" {
		return nil, errors.New("TELEGRAM_BOT_TOKEN: empty")
	}
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	if opt.PollTimeout <= 0 {
		opt.PollTimeout = 50 * time.Second
	}
	if opt.TypingAfter == 0 {
		opt.TypingAfter = 300 * time.Millisecond
	}
	if opt.HandleTimeout <= 0 {
		opt.HandleTimeout = 60 * time.Second
	}
	b := &Bot{engine: engine, opt: opt, log: opt.Logger, seed: maphash.MakeSeed()}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if opt.WebhookURL != "" {
		if opt.WebhookSecret == "" {
			return nil, ErrSecretRequired
		}
		u, err := url.Parse(opt.WebhookURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("TELEGRAM_WEBHOOK_URL: not an absolute URL: %q", opt.WebhookURL)
		}
		b.path = u.Path
		if b.path == "" {
			b.path = "/"
		}
	}
	opts := []tg.Option{
		tg.WithDefaultHandler(b.dispatch),
		// One library worker that only routes: the chat's own worker does
		// the work, in order.
		tg.WithNotAsyncHandlers(),
		tg.WithWorkers(1),
		tg.WithUpdatesChannelCap(1),
		tg.WithHTTPClient(opt.PollTimeout, &http.Client{Timeout: opt.PollTimeout + 10*time.Second}),
		tg.WithAllowedUpdates(tg.AllowedUpdates{"message", "callback_query"}),
		tg.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "err", err) }),
		tg.WithCheckInitTimeout(15 * time.Second),
	}
	if opt.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(opt.APIURL, "/")))
	}
	api, err := tg.New(opt.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	b.api, b.out = api, &Sender{api: api}
	return b, nil
}

// API is the underlying client, for sending outside a conversation.
func (b *Bot) API() *tg.Bot { return b.api }

// WebhookPath is where WebhookHandler must be mounted ("" in polling mode).
func (b *Bot) WebhookPath() string { return b.path }

// commands is the menu Telegram shows beside the text box: the few things
// a resident needs, in plain words.
var commands = []models.BotCommand{
	{Command: "start", Description: "开始"},
	{Command: "check", Description: "测一测能不能申请救助"},
	{Command: "contact", Description: "找工作人员"},
	{Command: "stop", Description: "不再接收提醒"},
	{Command: "help", Description: "帮助"},
	{Command: "lang", Description: "换语言 Language"},
	{Command: "cancel", Description: "取消当前步骤"},
}

// Run receives updates until ctx ends, then finishes the updates in hand
// and returns. In polling mode it long-polls getUpdates; in webhook mode it
// registers the webhook and updates arrive through WebhookHandler.
func (b *Bot) Run(ctx context.Context) error {
	if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: commands}); err != nil {
		b.log.Warn("telegram: set commands", "err", err)
	}
	if b.path != "" {
		_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: b.opt.WebhookURL, SecretToken: b.opt.WebhookSecret,
			AllowedUpdates: []string{"message", "callback_query"},
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("telegram: set webhook: %w", err)
		}
		b.log.Info("telegram: webhook mode", "path", b.path)
		<-ctx.Done()
		// The HTTP server's shutdown waits for requests too; this covers a
		// handler mounted elsewhere.
		b.inflight.Wait()
		return nil
	}
	// A webhook left from another mode would make getUpdates fail.
	if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("telegram: delete webhook: %w", err)
	}
	b.shards = make([]chan *models.Update, b.opt.Workers)
	var wg sync.WaitGroup
	for i := range b.shards {
		b.shards[i] = make(chan *models.Update, 16)
		wg.Add(1)
		go func(in <-chan *models.Update) {
			defer wg.Done()
			for upd := range in {
				b.handle(ctx, upd)
			}
		}(b.shards[i])
	}
	b.log.Info("telegram: long polling", "workers", b.opt.Workers)
	// Start returns when ctx ends and the routing worker has passed on the
	// update it held; the queues are then drained: those updates were
	// already confirmed to Telegram and would otherwise be lost.
	b.api.Start(ctx)
	for _, s := range b.shards {
		close(s)
	}
	wg.Wait()
	return nil
}

// dispatch routes an update to its chat's worker. It blocks when that
// worker is behind, which holds back the next getUpdates: back-pressure
// instead of an unbounded queue.
func (b *Bot) dispatch(_ context.Context, _ *tg.Bot, upd *models.Update) {
	if b.shards == nil {
		return
	}
	chat, _ := chatOf(upd)
	b.shards[maphash.Comparable(b.seed, chat)%uint64(len(b.shards))] <- upd
}

// WebhookHandler receives updates from Telegram in webhook mode. A request
// without the right secret header is refused with 401. The update is
// handled before the response, so Telegram retries it if the process dies
// mid-way; the engine drops the repeat if it was handled.
func (b *Bot) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(SecretHeader)
		if b.opt.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(b.opt.WebhookSecret)) != 1 {
			b.log.Warn("telegram: webhook request refused: bad secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		var upd models.Update
		if err := json.Unmarshal(body, &upd); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		b.inflight.Add(1)
		defer b.inflight.Done()
		b.handle(r.Context(), &upd)
		w.WriteHeader(http.StatusOK)
	})
}

// chatOf returns the chat an update belongs to.
func chatOf(upd *models.Update) (int64, bool) {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID, upd.Message.Chat.Type == models.ChatTypePrivate
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID, m.Chat.Type == models.ChatTypePrivate
		}
		if m := upd.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID, m.Chat.Type == models.ChatTypePrivate
		}
		return upd.CallbackQuery.From.ID, true
	}
	return 0, false
}

// toEvent translates an update; ok is false for updates the bot ignores
// (edits, group chats, channel posts…).
func toEvent(upd *models.Update) (ev bot.Event, ok bool) {
	chatID, private := chatOf(upd)
	if chatID == 0 || !private {
		return ev, false
	}
	ev = bot.Event{
		Address: chat.Address{Channel: Channel, ID: strconv.FormatInt(chatID, 10)},
		EventID: "tg:" + strconv.FormatInt(upd.ID, 10),
	}
	if cq := upd.CallbackQuery; cq != nil {
		ev.Kind, ev.Choice, ev.LangHint = bot.KindChoice, cq.Data, cq.From.LanguageCode
		return ev, true
	}
	m := upd.Message
	if m.From != nil {
		ev.LangHint = m.From.LanguageCode
	}
	switch {
	case m.Text != "":
		ev.Kind, ev.Text = bot.KindText, m.Text
	case len(m.Photo) > 0:
		ev.Kind = bot.KindPhoto
	case m.Voice != nil || m.Audio != nil || m.VideoNote != nil:
		ev.Kind = bot.KindVoice
	case m.Sticker != nil:
		ev.Kind = bot.KindSticker
	default:
		ev.Kind = bot.KindOther
	}
	return ev, true
}

// handle runs one update to the end even if the server is shutting down:
// a resident's message must not be half-handled.
func (b *Bot) handle(ctx context.Context, upd *models.Update) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.opt.HandleTimeout)
	defer cancel()
	ev, ok := toEvent(upd)
	if !ok {
		return
	}
	chatID, _ := chatOf(upd)
	var typing *time.Timer
	if ev.Kind == bot.KindText && !strings.HasPrefix(ev.Text, "/") {
		send := func() {
			_, _ = b.api.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: chatID, Action: models.ChatActionTyping})
		}
		if b.opt.TypingAfter < 0 {
			send()
		} else {
			typing = time.AfterFunc(b.opt.TypingAfter, send)
		}
	}
	res, err := b.engine.Handle(ctx, ev)
	if typing != nil {
		typing.Stop()
	}
	if err != nil {
		b.log.Error("telegram: handle update", "update", upd.ID, "err", err)
	}
	if res.Duplicate {
		return
	}
	cq := upd.CallbackQuery
	if cq != nil {
		// Always answered, or the button keeps spinning on the phone.
		if _, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: res.Notice}); err != nil {
			b.log.Warn("telegram: answer callback", "err", err)
		}
	}
	for _, r := range res.Replies {
		if err := b.retry(ctx, func() error { _, err := b.out.Send(ctx, ev.Address, r.Message); return err }); err != nil {
			b.log.Error("telegram: send reply", "update", upd.ID, "err", err)
			break
		}
	}
	// Spent buttons go after the reply: the resident sees the answer first.
	if cq != nil && res.ClearButtons && cq.Message.Message != nil {
		err := b.retry(ctx, func() error {
			_, err := b.api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
				ChatID: chatID, MessageID: cq.Message.Message.ID,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
			})
			return Classify(err)
		})
		if err != nil {
			b.log.Warn("telegram: clear buttons", "err", err)
		}
	}
}

// maxMessage is Telegram's limit on a message, in UTF-16 code units, less
// a margin.
const maxMessage = 4000

// split cuts text into pieces of at most max UTF-16 units, at a blank
// line or a line end where it can.
func split(text string, max int) []string {
	var parts []string
	for utf16Len(text) > max {
		cut, n := 0, 0
		for i, r := range text {
			w := 1
			if r > 0xFFFF {
				w = 2
			}
			if n+w > max {
				break
			}
			n += w
			cut = i + len(string(r))
		}
		head := text[:cut]
		if j := strings.LastIndex(head, "\n\n"); j > cut/2 {
			cut = j + 2
		} else if j := strings.LastIndex(head, "\n"); j > cut/2 {
			cut = j + 1
		}
		parts = append(parts, strings.TrimRight(text[:cut], "\n"))
		text = text[cut:]
	}
	return append(parts, text)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// retry calls f again after Telegram's retry_after when it answers 429,
// a few times, then gives up with the error.
func (b *Bot) retry(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		var limited *chat.RateLimitedError
		if err == nil || !errors.As(err, &limited) || attempt >= 5 {
			return err
		}
		wait := max(time.Second, limited.RetryAfter)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up waiting %s: %w)", err, wait, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// Send implements chat.Sender on the adapter's own client.
func (b *Bot) Send(ctx context.Context, to chat.Address, m chat.Message) (string, error) {
	return b.out.Send(ctx, to, m)
}

// Sender is the adapter's chat.Sender.
func (b *Bot) Sender() *Sender { return b.out }

// Mount registers the webhook at its URL's path (nothing in polling mode).
func (b *Bot) Mount(mux *http.ServeMux) {
	if b.path != "" {
		mux.Handle("POST "+b.path, b.WebhookHandler())
	}
}

// Limits implements bot.ChannelSender.
func (b *Bot) Limits() chat.Limits { return Limits }

// Telegram is the channel as bot/resident assembles it: on when
// TELEGRAM_BOT_TOKEN is set. Receiving connects to the Bot API (getMe), so
// a wrong token fails at start-up.
var Telegram = bot.Channel{
	Name: Channel,
	Sender: func(_ context.Context, s bot.Setup) (bot.ChannelSender, error) {
		if s.Config.TelegramToken == "" {
			return nil, nil
		}
		return NewSender(s.Config.TelegramToken, s.Config.TelegramAPIURL)
	},
	Receive: func(ctx context.Context, s bot.Setup, _ bot.ChannelSender) (bot.Receiver, error) {
		return New(ctx, s.Engine, Options{
			Token: s.Config.TelegramToken, APIURL: s.Config.TelegramAPIURL,
			WebhookURL: s.Config.TelegramWebhookURL, WebhookSecret: s.Config.TelegramWebhookSecret,
			Logger: s.Logger,
		})
	},
}
