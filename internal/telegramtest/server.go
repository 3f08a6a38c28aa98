// Package telegramtest is a Telegram Bot API server on loopback. Tests and
// benchmarks drive it with the real github.com/go-telegram/bot client
// (bot.WithServerURL(srv.URL())) and play the resident's side through
// helpers such as SendText and PressButton. It enforces the limits and
// answers the errors the real server does (429 with retry_after, 403 for a
// blocked bot, 400 for malformed HTML), so code that passes here behaves on
// the real network.
package telegramtest

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/safetynet/safetynet/internal/loopback"
)

// DefaultToken is the bot token the server accepts unless WithToken says
// otherwise. Its numeric prefix is the bot's user ID, as with real tokens.
const DefaultToken = "7000000001:AAtelegramtest-loopback-token"

// Server is a Bot API stand-in. All methods are safe for concurrent use.
type Server struct {
	cfg   config
	token string
	me    User
	http  *httptest.Server
	url   string

	// webhookClient posts updates to the bot in webhook mode.
	webhookClient *http.Client

	closing   chan struct{}
	closeOnce sync.Once
	loops     sync.WaitGroup

	mu sync.Mutex
	// changed is closed and replaced whenever something a test may wait for
	// happens, so waiters need no polling.
	changed chan struct{}

	// Updates for the bot, oldest first, until confirmed by offset or
	// delivered to the webhook.
	nextUpdateID int64
	queue        []queuedUpdate
	// updatesReady is closed and replaced when queue grows or the webhook
	// changes: it wakes long polls and the webhook loop.
	updatesReady chan struct{}
	// poller is closed to end the current long poll with 409, as Telegram
	// does when a second getUpdates (or a webhook) takes over.
	poller chan struct{}
	hook   webhookState

	chats     map[int64]*chatState
	callbacks map[string]*callbackState
	nextCB    int64

	sent     []SentMessage
	edits    []Edit
	answered []CallbackAnswer
	rejected []Rejection
	commands []BotCommand
	requests map[string]int
	count429 int

	global  bucket
	failAny []failure
	latency time.Duration
}

type config struct {
	token       string
	botName     string
	globalRate  float64
	globalBurst float64
	chatRate    float64
	chatBurst   float64
	latency     time.Duration
	maxBody     int64
	// firstUpdate is the id before the first update's (default 100000).
	firstUpdate int64
}

// Option configures a Server.
type Option func(*config)

// WithUpdateIDsAfter makes update ids start after id. A bot remembers the
// update ids it handled (to ignore Telegram's redeliveries), so a stand-in
// restarted against the same database must not number from the start
// again, or the bot takes the new messages for repeats and stays silent.
func WithUpdateIDsAfter(id int64) Option { return func(c *config) { c.firstUpdate = id } }

// WithToken sets the bot token the server accepts; requests with any other
// token get 401. The part before ':' becomes the bot's user ID.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUsername sets the username getMe reports (default safetynet_test_bot).
func WithBotUsername(name string) Option { return func(c *config) { c.botName = name } }

// WithGlobalRate sets how many messages per second the bot may send over
// all chats (default 30, like Telegram's broadcast limit). The burst is one
// second's worth. perSec <= 0 removes the global limit.
func WithGlobalRate(perSec float64) Option {
	return func(c *config) { c.globalRate, c.globalBurst = perSec, max(1, perSec) }
}

// WithPerChatRate sets how many messages per second the bot may send to one
// chat and how many it may send back to back before that rate applies
// (default 1/s with a burst of 3). perSec <= 0 removes the per-chat limit.
func WithPerChatRate(perSec float64, burst int) Option {
	return func(c *config) { c.chatRate, c.chatBurst = perSec, float64(max(1, burst)) }
}

// WithoutLimits turns off both rate limits, for benchmarks of the code
// around the sender rather than of the limits.
func WithoutLimits() Option {
	return func(c *config) { c.globalRate, c.chatRate = 0, 0 }
}

// WithLatency delays every Bot API response by d, like a distant data centre.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// New starts a server on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s, err := ListenAndServe("", opts...)
	if err != nil {
		panic(err) // a free loopback port is always there
	}
	return s
}

// ListenAndServe starts a server on addr (e.g. "127.0.0.1:8081") for people
// who want to try the bot by hand: point the bot's API URL at it and talk
// through the /_test/ endpoints (see ServeHTTP). It returns once the port is
// open; Close stops it.
func ListenAndServe(addr string, opts ...Option) (*Server, error) {
	s := newServer(opts)
	var err error
	if s.http, err = loopback.Start(addr, s); err != nil {
		return nil, err
	}
	s.url = loopback.URL(s.http)
	s.startLoops()
	return s, nil
}

func newServer(opts []Option) *Server {
	cfg := config{
		token:       DefaultToken,
		botName:     "safetynet_test_bot",
		globalRate:  30,
		globalBurst: 30,
		chatRate:    1,
		chatBurst:   3,
		maxBody:     10 << 20,
	}
	for _, o := range opts {
		o(&cfg)
	}
	botID, _ := strconv.ParseInt(strings.SplitN(cfg.token, ":", 2)[0], 10, 64)
	s := &Server{
		cfg:   cfg,
		token: cfg.token,
		me: User{
			ID: botID, IsBot: true, FirstName: "safetynet test", Username: cfg.botName,
			CanJoinGroups: true, SupportsInlineQueries: false,
		},
		webhookClient: &http.Client{Timeout: 10 * time.Second},
		closing:       make(chan struct{}),
		changed:       make(chan struct{}),
		updatesReady:  make(chan struct{}),
		poller:        make(chan struct{}),
		nextUpdateID:  cmp.Or(cfg.firstUpdate, 100000),
		chats:         make(map[int64]*chatState),
		callbacks:     make(map[string]*callbackState),
		requests:      make(map[string]int),
		latency:       cfg.latency,
	}
	s.global = bucket{rate: cfg.globalRate, burst: cfg.globalBurst, tokens: cfg.globalBurst}
	return s
}

func (s *Server) startLoops() {
	s.loops.Add(1)
	go s.webhookLoop()
}

// URL is the base URL to give the client (bot.WithServerURL).
func (s *Server) URL() string { return s.url }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Me is the bot's own user, as getMe reports it.
func (s *Server) Me() User { return s.me }

// Close ends pending long polls, stops webhook delivery and shuts the
// server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.http.Close()
		s.loops.Wait()
		s.webhookClient.CloseIdleConnections()
	})
}

// SetLatency changes the delay added to every Bot API response.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// notifyLocked wakes everyone waiting in WaitFor*. Callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ServeHTTP routes Bot API calls (/bot{token}/{method}) and the control
// endpoints under /_test/ for manual use.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/_test/") || path == "/_test" {
		s.serveControl(w, r)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if token != s.token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	p, err := readParams(r, s.cfg.maxBody)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	// Read the body first: net/http only notices a client hanging up once
	// the body is consumed, and a cancelled call must not hold the server.
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closing:
			t.Stop()
		}
	}
	// Method names are case-insensitive on the real server.
	name := strings.ToLower(method)
	h, ok := methods[name]
	s.mu.Lock()
	s.requests[name]++
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found: method not found", 0)
		return
	}
	h(s, w, r, p)
}

// Requests reports how many Bot API calls the server received per method
// (lower-case method name), including rejected ones.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}
