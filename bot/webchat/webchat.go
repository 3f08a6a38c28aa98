// Package webchat is the residents' chat in a web browser, on the same
// engine as Telegram: a plain page at / (large text, no frameworks) and a
// small JSON API under /chat/api/. A browser is known by a random cookie;
// its chat id is derived from it, so one browser never reaches another's
// conversation and nothing about the session is kept in this process.
package webchat

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/clientip"
)

// Channel is the web chat's name in chat.Address.
const Channel = "web"

// Limits: a browser shows buttons, but the page is only there while the
// resident is: no reminders. Staff replies wait in the outbox.
var Limits = chat.Limits{Buttons: true}

// CookieName holds the browser's chat token.
const CookieName = "sn_chat"

// Handler is the conversation engine (*bot.Engine).
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) (bot.Result, error)
}

// Chat serves the web chat.
type Chat struct {
	engine Handler
	pool   *pgxpool.Pool
	log    *slog.Logger
	deploy Deployment
}

// Deployment is what the web chat needs to know of how it is reached.
type Deployment struct {
	// SecureCookies marks the chat cookie Secure: the public address is
	// https even when the last hop (from a TLS-terminating proxy) is not.
	SecureCookies bool
	// ClientIP names the client behind a request, for per-address limits.
	ClientIP *clientip.Resolver
	// NewChats and Messages are the per-address limits; zero values take
	// DefaultNewChats and DefaultMessages.
	NewChats, Messages Bucket
}

// Bucket is a token bucket: Burst at once, then Per a second.
type Bucket struct {
	Burst float64
	Per   float64
}

// Per-address defaults. A township office may put many residents behind
// one address, so they are generous for people and tight for scripts:
// 30 new conversations and then one every 20 s; 60 messages and then one a
// second. The engine's own per-chat limit still applies inside them.
var (
	DefaultNewChats = Bucket{Burst: 30, Per: 1.0 / 20}
	DefaultMessages = Bucket{Burst: 60, Per: 1}
)

// Deploy sets how the chat is reached; call it before serving.
func (c *Chat) Deploy(d Deployment) {
	if d.NewChats.Burst == 0 {
		d.NewChats = DefaultNewChats
	}
	if d.Messages.Burst == 0 {
		d.Messages = DefaultMessages
	}
	c.deploy = d
}

// take draws a token of kind for addr; false means the address is over its
// limit. One statement refills, draws and remembers the outcome, so that
// concurrent requests on any server each see the others.
func (c *Chat) take(ctx context.Context, addr, kind string, b Bucket) (bool, error) {
	var ok bool
	err := c.pool.QueryRow(ctx, `
		INSERT INTO webchat_address_limits AS l (addr, kind, tokens, at, last_ok)
		VALUES ($1, $2, $3 - 1, now(), true)
		ON CONFLICT (addr, kind) DO UPDATE SET
			tokens = least($3, l.tokens + extract(epoch FROM now() - l.at) * $4)
				- CASE WHEN least($3, l.tokens + extract(epoch FROM now() - l.at) * $4) >= 1 THEN 1 ELSE 0 END,
			last_ok = least($3, l.tokens + extract(epoch FROM now() - l.at) * $4) >= 1,
			at = now()
		RETURNING last_ok`, addr, kind, b.Burst, b.Per).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("web chat limits: %w", err)
	}
	// Now and then, forget addresses idle for a day (a full bucket is the
	// same as no row); every server does its share.
	if mrand.IntN(1000) == 0 {
		_, _ = c.pool.Exec(ctx, `DELETE FROM webchat_address_limits WHERE at < now() - interval '1 day'`)
	}
	return ok, nil
}

// New returns the web chat over the engine; pool keeps staff replies until
// the page polls them.
func New(engine Handler, pool *pgxpool.Pool, logger *slog.Logger) *Chat {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Chat{engine: engine, pool: pool, log: logger, deploy: Deployment{NewChats: DefaultNewChats, Messages: DefaultMessages}}
}

//go:embed page.html
var page []byte

// pageCSP allows exactly the page's own inline script, by its hash, and no
// other: an injected <script> or on…= handler does not run, and no other
// site may frame the page (clickjacking a resident into sending text).
var pageCSP = func() string {
	var hashes []string
	rest := page
	for {
		i := bytes.Index(rest, []byte("<script>"))
		if i < 0 {
			break
		}
		rest = rest[i+len("<script>"):]
		j := bytes.Index(rest, []byte("</script>"))
		if j < 0 {
			break
		}
		sum := sha256.Sum256(rest[:j])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		rest = rest[j:]
	}
	return "default-src 'self'; script-src " + strings.Join(hashes, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'" +
		"; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}()

// Mount registers the page and the API on mux: GET /, POST
// /chat/api/message, GET /chat/api/poll.
func (c *Chat) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", c.servePage)
	mux.HandleFunc("POST /chat/api/message", c.serveMessage)
	mux.HandleFunc("GET /chat/api/poll", c.servePoll)
}

// Handler returns the web chat alone on its own mux.
func (c *Chat) Handler() http.Handler {
	mux := http.NewServeMux()
	c.Mount(mux)
	return mux
}

func (c *Chat) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(page)
}

// chatID derives the chat id from the browser's token: 62 bits of a hash,
// positive and never 0, as decimal text (the form earlier rows have).
// Another browser would have to guess the token.
func chatID(token string) string {
	sum := sha256.Sum256([]byte("safetynet/webchat/v1\x00" + token))
	return strconv.FormatInt(int64(binary.BigEndian.Uint64(sum[:8])>>2)|1, 10)
}

// session returns the browser's chat id, issuing a cookie on first use.
func (c *Chat) session(w http.ResponseWriter, r *http.Request, create bool) (string, bool) {
	if ck, err := r.Cookie(CookieName); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		return chatID(ck.Value), true
	}
	if !create {
		return "", false
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.deploy.SecureCookies || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https", MaxAge: 180 * 24 * 3600,
	})
	return chatID(tok), true
}

// MessageRequest is what the page posts: typed text, or a pressed
// button's data. ID, when given, makes a retried post harmless. Lang is
// the language the resident chose on this page (kept by the page), if any.
type MessageRequest struct {
	Text string `json:"text"`
	Data string `json:"data"`
	ID   string `json:"id"`
	Lang string `json:"lang"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Error string `json:"error"`
}

func (c *Chat) serveMessage(w http.ResponseWriter, r *http.Request) {
	// JSON only: a form on another site cannot post here with the cookie.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{"请用 application/json 发送"})
		return
	}
	var req MessageRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"您的消息太长了。请分成几句短话，一次问一个问题。"})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{"消息格式不对"})
		return
	}
	// Limits by address come before anything is stored: a refused
	// request leaves no conversation, question or cookie behind.
	addr := c.deploy.ClientIP.Addr(r)
	_, hasChat := c.session(w, r, false)
	for _, l := range []struct {
		kind string
		b    Bucket
		on   bool
	}{{"chat", c.deploy.NewChats, !hasChat}, {"message", c.deploy.Messages, true}} {
		if !l.on {
			continue
		}
		ok, err := c.take(r.Context(), addr, l.kind, l.b)
		if err != nil {
			c.log.Error("webchat: limits", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, apiError{"暂时无法处理，请稍后再试。"})
			return
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(1/l.b.Per)+1))
			writeJSON(w, http.StatusTooManyRequests, apiError{"消息太多了，请稍等一会儿再发。"})
			return
		}
	}
	id, _ := c.session(w, r, true)
	// The language the resident chose on the page; the engine keeps only
	// the ones it speaks. The browser's Accept-Language is deliberately not
	// consulted: the page is Chinese, and a phone set up in English by a
	// relative must not greet an elderly resident in English.
	ev := bot.Event{Address: chat.Address{Channel: Channel, ID: id}, LangHint: req.Lang}
	if len(req.ID) > 0 && len(req.ID) <= 64 {
		ev.EventID = "web:" + id + ":" + req.ID
	}
	switch {
	case req.Data != "":
		ev.Kind, ev.Choice = bot.KindChoice, req.Data
	case strings.TrimSpace(req.Text) != "":
		ev.Kind, ev.Text = bot.KindText, req.Text
	default:
		writeJSON(w, http.StatusBadRequest, apiError{"text: 请输入您的问题"})
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 60*time.Second)
	defer cancel()
	res, err := c.engine.Handle(ctx, ev)
	if err != nil {
		c.log.Error("webchat: handle message", "err", err)
	}
	if res.Replies == nil {
		res.Replies = []bot.Reply{}
	}
	writeJSON(w, http.StatusOK, res)
}

// StaffMessage is a staff reply waiting in the browser's chat.
type StaffMessage struct {
	ID   int64     `json:"id"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

func (c *Chat) servePoll(w http.ResponseWriter, r *http.Request) {
	id, ok := c.session(w, r, false)
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"messages": []StaffMessage{}})
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	msgs, err := c.Pending(r.Context(), id, after)
	if err != nil {
		c.log.Error("webchat: poll", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{"暂时取不到消息"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

// Pending returns the staff replies for a chat after id after, oldest first.
func (c *Chat) Pending(ctx context.Context, chatID string, after int64) ([]StaffMessage, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT id, text, created_at FROM webchat_outbox
		WHERE chat_id = $1 AND id > $2 ORDER BY id LIMIT 100`, chatID, after)
	if err != nil {
		return nil, fmt.Errorf("web chat messages: %w", err)
	}
	defer rows.Close()
	out := []StaffMessage{}
	for rows.Next() {
		var m StaffMessage
		if err := rows.Scan(&m.ID, &m.Text, &m.At); err != nil {
			return nil, fmt.Errorf("web chat messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Outbox is the web chat's chat.Sender: a message waits in PostgreSQL
// until the browser polls it (any process may serve the poll), and is
// pruned after outboxKeep.
type Outbox struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// NewOutbox returns the outbox on pool.
func NewOutbox(pool *pgxpool.Pool, logger *slog.Logger) *Outbox {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Outbox{pool: pool, log: logger}
}

// Outbox is the chat's sender.
func (c *Chat) Outbox() *Outbox { return NewOutbox(c.pool, c.log) }

// Send implements chat.Sender: the text waits for the page (buttons are
// not kept: a staff reply has none). The id is the outbox row's.
func (o *Outbox) Send(ctx context.Context, to chat.Address, m chat.Message) (string, error) {
	if to.Channel != Channel {
		return "", &chat.PermanentError{Reason: fmt.Sprintf("channel %q is not the web chat", to.Channel)}
	}
	if to.ID == "" {
		return "", &chat.PermanentError{Reason: "chat id: empty"}
	}
	var id int64
	if err := o.pool.QueryRow(ctx, `INSERT INTO webchat_outbox (chat_id, text) VALUES ($1, $2) RETURNING id`,
		to.ID, m.Text).Scan(&id); err != nil {
		return "", &chat.TransientError{Err: fmt.Errorf("web chat outbox: %w", err)}
	}
	return strconv.FormatInt(id, 10), nil
}

// outboxKeep is how long a message waits for its browser: a resident may
// come back to the page weeks later and still see the staff's answer.
const outboxKeep = 90 * 24 * time.Hour

// Prune deletes messages older than outboxKeep.
func (o *Outbox) Prune(ctx context.Context) (int64, error) {
	tag, err := o.pool.Exec(ctx, `DELETE FROM webchat_outbox WHERE created_at < now() - make_interval(secs => $1)`, outboxKeep.Seconds())
	if err != nil {
		return 0, fmt.Errorf("prune web chat outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Run prunes once an hour until ctx ends. Several processes may run it.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := o.Prune(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("webchat: prune outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Limits implements bot.ChannelSender.
func (o *Outbox) Limits() chat.Limits { return Limits }

// Mount and Run make the chat a bot.Receiver; Run prunes the outbox.
func (c *Chat) Run(ctx context.Context) error { return c.Outbox().Run(ctx) }

// Web is the web chat as a bot.Channel: always on.
var Web = bot.Channel{
	Name: Channel,
	Sender: func(_ context.Context, s bot.Setup) (bot.ChannelSender, error) {
		return NewOutbox(s.Pool, s.Logger), nil
	},
	Receive: func(_ context.Context, s bot.Setup, _ bot.ChannelSender) (bot.Receiver, error) {
		c := New(s.Engine, s.Pool, s.Logger)
		c.Deploy(Deployment{SecureCookies: s.Config.SecureCookies(), ClientIP: clientip.New(s.Config.TrustedProxies)})
		return c, nil
	},
}
