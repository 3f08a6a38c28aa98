// Package llmtest is an OpenAI-compatible API server on loopback: chat
// completions (plain and streamed), embeddings and the model list. Tests
// point the real github.com/sashabaranov/go-openai client at it
// (config.BaseURL = srv.BaseURL()), script the answers, inject the errors
// a hosted model gives (429 with Retry-After, 500, slowness), and read back
// every prompt to prove that no personal data left the process.
package llmtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/safetynet/safetynet/internal/loopback"
)

// Default model names, reported by /v1/models.
const (
	DefaultChatModel  = "gpt-4o-mini"
	DefaultEmbedModel = "text-embedding-3-small"
)

// ChatFunc produces the assistant's answer to a chat request. Returning an
// *Error answers with that status; any other error becomes a 500.
type ChatFunc func(req openai.ChatCompletionRequest) (string, error)

// Error is an API error a ChatFunc (or an injected failure) answers with.
type Error struct {
	Status     int
	Message    string
	RetryAfter time.Duration // sent as Retry-After on 429
}

func (e *Error) Error() string { return fmt.Sprintf("llmtest: %d %s", e.Status, e.Message) }

// ChatRequest is a recorded chat completion call.
type ChatRequest struct {
	Request openai.ChatCompletionRequest
	Stream  bool
	At      time.Time
}

// Text is every message's text in the request, one per line, for
// asserting what reached the model.
func (r ChatRequest) Text() string {
	var b strings.Builder
	for _, m := range r.Request.Messages {
		b.WriteString(messageText(m))
		b.WriteByte('\n')
	}
	return b.String()
}

// EmbeddingRequest is a recorded embeddings call.
type EmbeddingRequest struct {
	Model      string
	Inputs     []string
	Dimensions int
	At         time.Time
}

// Server is the stand-in. All methods are safe for concurrent use.
type Server struct {
	cfg       config
	http      *httptest.Server
	mux       *http.ServeMux
	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	chat     ChatFunc
	latency  time.Duration
	failures []Error
	chats    []ChatRequest
	embeds   []EmbeddingRequest
	calls    map[string]int
}

type config struct {
	key        string
	chat       ChatFunc
	dim        int
	models     []string
	latency    time.Duration
	chunkRunes int
	chunkDelay time.Duration
}

// Option configures a Server.
type Option func(*config)

// WithKey makes the server require "Authorization: Bearer key"; without
// it any key (or none) is accepted.
func WithKey(key string) Option { return func(c *config) { c.key = key } }

// WithChatFunc scripts the chat answers. The default is DefaultChat.
func WithChatFunc(f ChatFunc) Option { return func(c *config) { c.chat = f } }

// WithEmbeddingDim sets the length of embedding vectors (default 1536, as
// text-embedding-3-small). A request's "dimensions" field overrides it.
func WithEmbeddingDim(n int) Option { return func(c *config) { c.dim = n } }

// WithModels sets the model IDs /v1/models lists. Requests may name any model.
func WithModels(ids ...string) Option { return func(c *config) { c.models = ids } }

// WithLatency delays every API answer by d (before the first byte).
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithStreamChunks sets how many characters each streamed delta carries
// (default 4) and the pause between deltas (default none).
func WithStreamChunks(runes int, delay time.Duration) Option {
	return func(c *config) { c.chunkRunes, c.chunkDelay = max(1, runes), delay }
}

// New starts a server on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s, err := ListenAndServe("", opts...)
	if err != nil {
		panic(err) // a free loopback port is always there
	}
	return s
}

// ListenAndServe starts a server on addr (e.g. "127.0.0.1:8082") so a
// person can run safetynet against it by hand (OPENAI_BASE_URL =
// BaseURL()). It returns once the port is open; Close stops it.
func ListenAndServe(addr string, opts ...Option) (*Server, error) {
	s := newServer(opts)
	var err error
	if s.http, err = loopback.Start(addr, s.mux); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(opts []Option) *Server {
	cfg := config{
		chat:       DefaultChat,
		dim:        1536,
		models:     []string{DefaultChatModel, DefaultEmbedModel},
		chunkRunes: 4,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, closing: make(chan struct{}), chat: cfg.chat, latency: cfg.latency, calls: make(map[string]int)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.api(s.chatCompletions))
	mux.HandleFunc("POST /v1/embeddings", s.api(s.embeddings))
	mux.HandleFunc("GET /v1/models", s.authed(s.models))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Message: "Invalid URL (" + r.Method + " " + r.URL.Path + ")"})
	})
	s.mux = mux
	return s
}

// URL is the server's root, e.g. http://127.0.0.1:port.
func (s *Server) URL() string { return loopback.URL(s.http) }

// BaseURL is what go-openai's ClientConfig.BaseURL (and OPENAI_BASE_URL)
// should be: the root plus /v1.
func (s *Server) BaseURL() string { return s.URL() + "/v1" }

// Key is the API key the server requires ("" if any is accepted).
func (s *Server) Key() string { return s.cfg.key }

// ClientConfig is a go-openai configuration pointing at the server.
func (s *Server) ClientConfig() openai.ClientConfig {
	c := openai.DefaultConfig(s.cfg.key)
	c.BaseURL = s.BaseURL()
	return c
}

// Close ends slow answers in progress and shuts the server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.http.Close()
	})
}

// SetChatFunc replaces the chat responder.
func (s *Server) SetChatFunc(f ChatFunc) {
	s.mu.Lock()
	s.chat = f
	s.mu.Unlock()
}

// SetLatency changes the delay before every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// FailNext makes the next n chat or embedding calls fail with status and
// message, in OpenAI's error format.
func (s *Server) FailNext(n, status int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, Error{Status: status, Message: message})
	}
}

// Inject429 makes the next n chat or embedding calls fail with 429 and a
// Retry-After header of retryAfter (whole seconds, at least 1).
func (s *Server) Inject429(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, Error{
			Status: http.StatusTooManyRequests, RetryAfter: retryAfter,
			Message: "Rate limit reached for requests. Please try again later.",
		})
	}
}

// Requests is every chat completion call received, in order (including
// those answered with an injected failure).
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ChatRequest(nil), s.chats...)
}

// EmbeddingRequests is every embeddings call received, in order.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EmbeddingRequest(nil), s.embeds...)
}

// Texts is all text that reached the server: every chat message and every
// embedding input. A test asserts personal data never appears in it.
func (s *Server) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.chats {
		for _, m := range c.Request.Messages {
			out = append(out, messageText(m))
		}
	}
	for _, e := range s.embeds {
		out = append(out, e.Inputs...)
	}
	return out
}

// Calls is how many requests each endpoint received ("chat", "embeddings",
// "models"), including refused ones.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

func messageText(m openai.ChatCompletionMessage) string {
	if len(m.MultiContent) == 0 {
		return m.Content
	}
	var parts []string
	for _, p := range m.MultiContent {
		if p.Type == openai.ChatMessagePartTypeText {
			parts = append(parts, p.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// authed checks the API key the way OpenAI does.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.key != "" && r.Header.Get("Authorization") != "Bearer "+s.cfg.key {
			writeErrorCode(w, &Error{Status: http.StatusUnauthorized, Message: "Incorrect API key provided."}, "invalid_api_key")
			return
		}
		h(w, r)
	}
}

// api wraps chat and embedding handlers: key check, body, latency, then
// any injected failure, so a failure is consumed by the call that sees it.
// The body is read before the latency wait because net/http only notices a
// client hanging up once the body is consumed; otherwise a cancelled call
// would hold the server (and Close) for the whole delay.
func (s *Server) api(h func(ctx context.Context, w http.ResponseWriter, body []byte, fail *Error)) http.HandlerFunc {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
		if err != nil {
			writeError(w, &Error{Status: http.StatusBadRequest, Message: "read body: " + err.Error()})
			return
		}
		s.mu.Lock()
		latency := s.latency
		var fail *Error
		if len(s.failures) > 0 {
			f := s.failures[0]
			s.failures = s.failures[1:]
			fail = &f
		}
		s.mu.Unlock()
		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.closing:
				t.Stop()
				writeError(w, &Error{Status: http.StatusServiceUnavailable, Message: "server closing"})
				return
			}
		}
		h(r.Context(), w, body, fail)
	})
}

func (s *Server) models(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.calls["models"]++
	s.mu.Unlock()
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list"}
	for _, id := range s.cfg.models {
		list.Data = append(list.Data, model{ID: id, Object: "model", Created: 1700000000, OwnedBy: "llmtest"})
	}
	writeJSON(w, list)
}

func (s *Server) chatCompletions(ctx context.Context, w http.ResponseWriter, body []byte, fail *Error) {
	var req openai.ChatCompletionRequest
	err := json.Unmarshal(body, &req)
	s.mu.Lock()
	s.calls["chat"]++
	if err == nil {
		s.chats = append(s.chats, ChatRequest{Request: req, Stream: req.Stream, At: time.Now()})
	}
	chat := s.chat
	s.mu.Unlock()
	switch {
	case err != nil:
		writeError(w, &Error{Status: http.StatusBadRequest, Message: "We could not parse the JSON body of your request: " + err.Error()})
		return
	case fail != nil:
		writeError(w, fail)
		return
	case req.Model == "":
		writeError(w, &Error{Status: http.StatusBadRequest, Message: "you must provide a model parameter"})
		return
	case len(req.Messages) == 0:
		writeError(w, &Error{Status: http.StatusBadRequest, Message: "[] is too short - 'messages'"})
		return
	}
	answer, err := chat(req)
	if err != nil {
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			apiErr = &Error{Status: http.StatusInternalServerError, Message: err.Error()}
		}
		writeError(w, apiErr)
		return
	}
	id := "chatcmpl-llmtest-" + strconv.Itoa(len(answer)) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	usage := openai.Usage{PromptTokens: promptTokens(req), CompletionTokens: tokens(answer)}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	if req.Stream {
		s.stream(ctx, w, req, id, answer, usage)
		return
	}
	writeJSON(w, openai.ChatCompletionResponse{
		ID: id, Object: "chat.completion", Created: time.Now().Unix(), Model: req.Model,
		Choices: []openai.ChatCompletionChoice{{
			Index:        0,
			Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: answer},
			FinishReason: openai.FinishReasonStop,
		}},
		Usage: usage,
	})
}

// stream sends the answer as server-sent events the way OpenAI does: a
// role delta, content deltas, a finish chunk, an optional usage chunk,
// then "data: [DONE]".
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, req openai.ChatCompletionRequest, id, answer string, usage openai.Usage) {
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	created := time.Now().Unix()
	send := func(chunk openai.ChatCompletionStreamResponse) bool {
		b, err := json.Marshal(chunk)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	chunk := func(delta openai.ChatCompletionStreamChoiceDelta, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
		return openai.ChatCompletionStreamResponse{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Index: 0, Delta: delta, FinishReason: finish}},
		}
	}
	if !send(chunk(openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant}, "")) {
		return
	}
	runes := []rune(answer)
	for i := 0; i < len(runes); i += s.cfg.chunkRunes {
		if s.cfg.chunkDelay > 0 {
			select {
			case <-time.After(s.cfg.chunkDelay):
			case <-ctx.Done():
				return
			case <-s.closing:
				return
			}
		}
		piece := string(runes[i:min(i+s.cfg.chunkRunes, len(runes))])
		if !send(chunk(openai.ChatCompletionStreamChoiceDelta{Content: piece}, "")) {
			return
		}
	}
	if !send(chunk(openai.ChatCompletionStreamChoiceDelta{}, openai.FinishReasonStop)) {
		return
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		u := usage
		if !send(openai.ChatCompletionStreamResponse{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{}, Usage: &u,
		}) {
			return
		}
	}
	_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// tokens is a rough token count (one per character) so usage figures are
// plausible and deterministic.
func tokens(s string) int { return len([]rune(s)) }

func promptTokens(req openai.ChatCompletionRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += tokens(messageText(m)) + 4
	}
	return n
}

// DefaultChat answers deterministically from the last user message: the
// same question always gets the same answer, and the answer cites [1] when
// the prompt offers a numbered source, as a grounded model would.
func DefaultChat(req openai.ChatCompletionRequest) (string, error) {
	var question string
	offersSource := false
	for _, m := range req.Messages {
		text := messageText(m)
		if m.Role == openai.ChatMessageRoleUser {
			question = text
		}
		offersSource = offersSource || strings.Contains(text, "[1]")
	}
	question = strings.TrimSpace(question)
	if r := []rune(question); len(r) > 60 {
		question = string(r[:60]) + "…"
	}
	answer := "（测试回答）关于“" + question + "”："
	if offersSource {
		return answer + "请以资料中的规定为准[1]。", nil
	}
	return answer + "资料中没有找到相关规定。", nil
}

type errorEnvelope struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func writeError(w http.ResponseWriter, e *Error) { writeErrorCode(w, e, "") }

// writeErrorCode answers in OpenAI's error format; a 429 carries
// Retry-After in whole seconds.
func writeErrorCode(w http.ResponseWriter, e *Error, code string) {
	typ := "invalid_request_error"
	switch {
	case e.Status == http.StatusTooManyRequests:
		typ, code = "rate_limit_error", "rate_limit_exceeded"
		secs := max(1, int((e.RetryAfter+time.Second-1)/time.Second))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	case e.Status >= 500:
		typ = "server_error"
	}
	body := errorEnvelope{Error: errorObject{Message: e.Message, Type: typ}}
	if code != "" {
		body.Error.Code = &code
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &Error{Status: http.StatusInternalServerError, Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
