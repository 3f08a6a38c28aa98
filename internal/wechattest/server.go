// Package wechattest is a stand-in for WeChat's official-account platform
// on loopback, speaking its API as github.com/silenceper/wechat/v2 uses it:
// access tokens that expire (40001, 42001), customer-service messages only
// within 48 hours of the resident's last message (45015) and a few per
// message (45047), template messages with a daily quota (45009), parametric
// QR codes, and "not following" (43004). Its control API plays the
// resident: it posts signed, encrypted callbacks to the service as WeChat
// does, retrying when the service does not answer within 5 seconds.
//
// Nothing here is WeChat's code; it follows the public protocol.
package wechattest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/safetynet/safetynet/internal/loopback"
)

// Defaults the stand-in accepts unless told otherwise; AESKey is a valid
// 43-character EncodingAESKey.
const (
	DefaultAppID     = "wxtest0000000001"
	DefaultAppSecret = "wechattest-loopback-secret"
	DefaultToken     = "wechattestToken"
	DefaultAESKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	AccountID        = "gh_safetynet_test"
)

// Window is how long after a resident's message the service may write
// freely (customer-service messages).
const Window = 48 * time.Hour

// Message is what a resident received.
type Message struct {
	// Via: "reply" (the callback's answer), "custom" (customer-service
	// API) or "template".
	Via        string            `json:"via"`
	Text       string            `json:"text"`
	TemplateID string            `json:"template_id,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
	At         time.Time         `json:"at"`
}

type user struct {
	following bool
	lastIn    time.Time
	csSince   int // customer-service messages since the resident last wrote
	inbox     []Message
}

// Option changes a default.
type Option func(*Server)

// WithTemplateQuota sets how many template messages a day the account may
// send (default 100000).
func WithTemplateQuota(n int) Option { return func(s *Server) { s.templateQuota = n } }

// WithCustomCap sets how many customer-service messages may follow one
// message of the resident (default 20).
func WithCustomCap(n int) Option { return func(s *Server) { s.csCap = n } }

// Server is the stand-in.
type Server struct {
	AppID, AppSecret, Token, AESKey string

	http   *httptest.Server
	url    string
	key    []byte
	client *http.Client

	mu            sync.Mutex
	changed       chan struct{}
	offset        time.Duration // the stand-in's clock runs ahead by this
	callback      string
	tokens        map[string]time.Time
	nextToken     int
	users         map[string]*user
	tickets       map[string]string // QR ticket → scene
	templateQuota int
	templatesDay  string
	templatesSent int
	csCap         int
	nextMsgID     int64
	calls         map[string]int
}

// New starts a stand-in on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s, err := ListenAndServe("", opts...)
	if err != nil {
		panic(err) // a free loopback port is always there
	}
	return s
}

// ListenAndServe starts the stand-in on addr, for trying by hand.
func ListenAndServe(addr string, opts ...Option) (*Server, error) {
	s := &Server{
		AppID: DefaultAppID, AppSecret: DefaultAppSecret, Token: DefaultToken, AESKey: DefaultAESKey,
		changed: make(chan struct{}), tokens: map[string]time.Time{}, users: map[string]*user{},
		tickets: map[string]string{}, templateQuota: 100000, csCap: 20, nextMsgID: 7000000000, calls: map[string]int{},
		// WeChat gives up on a callback after 5 seconds and tries again.
		client: &http.Client{Timeout: 5 * time.Second},
	}
	for _, o := range opts {
		o(s)
	}
	s.key, _ = aesKey(s.AESKey)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.serveToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.authed(s.serveCustom))
	mux.HandleFunc("POST /cgi-bin/message/template/send", s.authed(s.serveTemplate))
	mux.HandleFunc("POST /cgi-bin/qrcode/create", s.authed(s.serveQR))
	s.control(mux)
	var err error
	if s.http, err = loopback.Start(addr, mux); err != nil {
		return nil, err
	}
	s.url = loopback.URL(s.http)
	return s, nil
}

// URL is the API root to give the service (WECHAT_API_URL).
func (s *Server) URL() string { return s.url }

// Close shuts the stand-in down.
func (s *Server) Close() { s.http.Close(); s.client.CloseIdleConnections() }

// SetCallback sets where the service receives callbacks (its /wechat URL).
func (s *Server) SetCallback(u string) { s.mu.Lock(); s.callback = u; s.mu.Unlock() }

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Advance moves the stand-in's clock: tokens expire, reply windows close.
func (s *Server) Advance(d time.Duration) { s.mu.Lock(); s.offset += d; s.mu.Unlock() }

// now is the stand-in's clock; callers hold s.mu.

// ExpireTokens makes every issued token expired (42001), as after two hours.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = s.now().Add(-time.Second)
	}
}

// Calls counts API calls by path (e.g. "/cgi-bin/token").
func (s *Server) Calls(path string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls[path] }

// Inbox is what the resident received so far.
func (s *Server) Inbox(openID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[openID]; u != nil {
		return append([]Message(nil), u.inbox...)
	}
	return nil
}

// WaitInbox waits until the resident has at least n messages, or ctx ends.
func (s *Server) WaitInbox(ctx context.Context, openID string, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		var got []Message
		if u := s.users[openID]; u != nil {
			got = append(got, u.inbox...)
		}
		ch := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("resident %s has %d messages, waited for %d: %w", openID, len(got), n, ctx.Err())
		case <-ch:
		}
	}
}

func (s *Server) deliverLocked(openID string, m Message) {
	u := s.userLocked(openID)
	m.At = s.now()
	u.inbox = append(u.inbox, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) userLocked(openID string) *user {
	u := s.users[openID]
	if u == nil {
		u = &user{}
		s.users[openID] = u
	}
	return u
}

// apiError is WeChat's error body.
type apiError struct {
	Code int    `json:"errcode"`
	Msg  string `json:"errmsg"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[r.URL.Path]++
	switch {
	case q.Get("grant_type") != "client_credential":
		writeJSON(w, apiError{40002, "invalid grant_type"})
	case q.Get("appid") != s.AppID:
		writeJSON(w, apiError{40013, "invalid appid"})
	case q.Get("secret") != s.AppSecret:
		writeJSON(w, apiError{40125, "invalid appsecret"})
	default:
		s.nextToken++
		tok := "wxtok-" + strconv.Itoa(s.nextToken)
		s.tokens[tok] = s.now().Add(2 * time.Hour)
		writeJSON(w, map[string]any{"access_token": tok, "expires_in": 7200})
	}
}

// authed checks the access token: unknown 40001, expired 42001.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeJSON(w, apiError{-1, "system error"})
			return
		}
		s.mu.Lock()
		s.calls[r.URL.Path]++
		exp, ok := s.tokens[r.URL.Query().Get("access_token")]
		expired := ok && !s.now().Before(exp)
		s.mu.Unlock()
		switch {
		case !ok:
			writeJSON(w, apiError{40001, "invalid credential, access_token is invalid or not latest"})
		case expired:
			writeJSON(w, apiError{42001, "access_token expired"})
		default:
			h(w, r, body)
		}
	}
}

func (s *Server) serveCustom(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.ToUser == "" {
		writeJSON(w, apiError{47001, "data format error"})
		return
	}
	if req.MsgType != "text" {
		writeJSON(w, apiError{40008, "invalid message type (the stand-in takes text)"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[req.ToUser]
	switch {
	case u == nil:
		writeJSON(w, apiError{40003, "invalid openid"})
	case !u.following:
		writeJSON(w, apiError{43004, "require subscribe"})
	case s.now().Sub(u.lastIn) > Window:
		writeJSON(w, apiError{45015, "response out of time limit or subscription is canceled"})
	case u.csSince >= s.csCap:
		writeJSON(w, apiError{45047, "out of response count limit"})
	default:
		u.csSince++
		s.deliverLocked(req.ToUser, Message{Via: "custom", Text: req.Text.Content})
		writeJSON(w, apiError{0, "ok"})
	}
}

func (s *Server) serveTemplate(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Data       map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.ToUser == "" {
		writeJSON(w, apiError{47001, "data format error"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	day := s.now().Format("2006-01-02")
	if s.templatesDay != day {
		s.templatesDay, s.templatesSent = day, 0
	}
	u := s.users[req.ToUser]
	switch {
	case req.TemplateID == "":
		writeJSON(w, apiError{40037, "invalid template_id"})
	case u == nil:
		writeJSON(w, apiError{40003, "invalid openid"})
	case !u.following:
		writeJSON(w, apiError{43004, "require subscribe"})
	case s.templatesSent >= s.templateQuota:
		writeJSON(w, apiError{45009, "reach max api daily quota limit"})
	default:
		s.templatesSent++
		s.nextMsgID++
		m := Message{Via: "template", TemplateID: req.TemplateID, Data: map[string]string{}}
		for k, v := range req.Data {
			m.Data[k] = v.Value
		}
		m.Text = m.Data["first"]
		s.deliverLocked(req.ToUser, m)
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": s.nextMsgID})
	}
}

func (s *Server) serveQR(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneStr string `json:"scene_str"`
				SceneID  int    `json:"scene_id"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, apiError{47001, "data format error"})
		return
	}
	scene := req.ActionInfo.Scene.SceneStr
	if scene == "" && req.ActionInfo.Scene.SceneID != 0 {
		scene = strconv.Itoa(req.ActionInfo.Scene.SceneID)
	}
	if scene == "" || len(scene) > 64 {
		writeJSON(w, apiError{40097, "invalid args: scene"})
		return
	}
	s.mu.Lock()
	s.nextMsgID++
	ticket := "gQticket" + strconv.FormatInt(s.nextMsgID, 36)
	s.tickets[ticket] = scene
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ticket": ticket, "expire_seconds": req.ExpireSeconds, "url": "http://weixin.qq.com/q/" + ticket})
}

// Scene is the scene a QR ticket was created with.
func (s *Server) Scene(ticket string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scene, ok := s.tickets[ticket]
	return scene, ok
}

// Delivery is what one callback post got back.
type Delivery struct {
	Status int    `json:"status"`
	Reply  string `json:"reply,omitempty"` // the passive reply's text, decrypted
	Err    string `json:"error,omitempty"`
}

// event is one callback's plaintext XML.
type event struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content,omitempty"`
	MsgID        int64    `xml:"MsgId,omitempty"`
	Event        string   `xml:"Event,omitempty"`
	EventKey     string   `xml:"EventKey,omitempty"`
	Ticket       string   `xml:"Ticket,omitempty"`
}

// post delivers an event to the service as WeChat does: signed, encrypted,
// and tried again (up to 3 times in all) when the service does not answer
// in 5 seconds. extra repeats a delivery that was answered, as WeChat may.
// forge signs with a wrong token.
func (s *Server) post(ctx context.Context, ev event, extra int, forge bool) ([]Delivery, error) {
	s.mu.Lock()
	cb := s.callback
	ev.ToUserName = AccountID
	ev.CreateTime = s.now().Unix()
	if ev.MsgType != "event" {
		s.nextMsgID++
		ev.MsgID = s.nextMsgID
	}
	u := s.userLocked(ev.FromUserName)
	switch {
	case ev.Event == "unsubscribe":
		u.following = false
	default:
		u.following = true
		u.lastIn, u.csSince = s.now(), 0
	}
	s.mu.Unlock()
	if cb == "" {
		return nil, errors.New("wechattest: no callback URL set (SetCallback, or /_test/callback)")
	}
	plain, err := xml.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for attempt := 0; attempt < 3+extra; attempt++ {
		d := s.deliver(ctx, cb, ev.FromUserName, plain, forge)
		out = append(out, d)
		if d.Err == "" && attempt >= extra {
			break
		}
	}
	return out, nil
}

func (s *Server) deliver(ctx context.Context, cb, openID string, plain []byte, forge bool) Delivery {
	enc, err := seal(s.key, s.AppID, plain)
	if err != nil {
		return Delivery{Err: err.Error()}
	}
	s.mu.Lock()
	ts := strconv.FormatInt(s.now().Unix(), 10)
	s.mu.Unlock()
	nonce := strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	token := s.Token
	if forge {
		token = "not-" + token
	}
	q := url.Values{
		"signature": {sign(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "openid": {openID},
		"encrypt_type": {"aes"}, "msg_signature": {sign(token, ts, nonce, enc)},
	}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", AccountID, enc)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cb+"?"+q.Encode(), bytes.NewBufferString(body))
	if err != nil {
		return Delivery{Err: err.Error()}
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := s.client.Do(req)
	if err != nil {
		return Delivery{Err: err.Error()} // a timeout: WeChat tries again
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	d := Delivery{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		return d
	}
	text, err := s.openReply(raw)
	if err != nil {
		d.Err = "reply: " + err.Error()
		return d
	}
	if text != "" {
		d.Reply = text
		s.mu.Lock()
		s.deliverLocked(openID, Message{Via: "reply", Text: text})
		s.mu.Unlock()
	}
	return d
}

// openReply checks and decrypts a passive reply; "" and "success" are none.
func (s *Server) openReply(raw []byte) (string, error) {
	trimmed := string(bytes.TrimSpace(raw))
	if trimmed == "" || trimmed == "success" {
		return "", nil
	}
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(raw, &env); err != nil || env.Encrypt == "" {
		return "", errors.New("not an encrypted reply (safe mode)")
	}
	if sign(s.Token, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
		return "", errors.New("reply signature wrong")
	}
	plain, err := open(s.key, s.AppID, env.Encrypt)
	if err != nil {
		return "", err
	}
	var msg struct {
		ToUserName string `xml:"ToUserName"`
		MsgType    string `xml:"MsgType"`
		Content    string `xml:"Content"`
	}
	if err := xml.Unmarshal(plain, &msg); err != nil {
		return "", err
	}
	if msg.MsgType != "text" {
		return "", fmt.Errorf("reply type %q (the stand-in takes text)", msg.MsgType)
	}
	return msg.Content, nil
}

// Send plays the resident writing text.
func (s *Server) Send(ctx context.Context, openID, text string) ([]Delivery, error) {
	return s.post(ctx, event{FromUserName: openID, MsgType: "text", Content: text}, 0, false)
}

// SendTwice delivers one message and then the same again (a retry that
// crossed the answer).
func (s *Server) SendTwice(ctx context.Context, openID, text string) ([]Delivery, error) {
	return s.post(ctx, event{FromUserName: openID, MsgType: "text", Content: text}, 1, false)
}

// Forge posts a text callback signed with a wrong token.
func (s *Server) Forge(ctx context.Context, openID, text string) (Delivery, error) {
	ds, err := s.post(ctx, event{FromUserName: openID, MsgType: "text", Content: text}, 0, true)
	if err != nil || len(ds) == 0 {
		return Delivery{}, err
	}
	return ds[0], nil
}

// Click plays a press of a menu item with its key.
func (s *Server) Click(ctx context.Context, openID, key string) ([]Delivery, error) {
	return s.post(ctx, event{FromUserName: openID, MsgType: "event", Event: "CLICK", EventKey: key}, 0, false)
}

// Subscribe plays following the account; with a ticket, by scanning that
// QR code (the event then carries "qrscene_" + its scene).
func (s *Server) Subscribe(ctx context.Context, openID, ticket string) ([]Delivery, error) {
	ev := event{FromUserName: openID, MsgType: "event", Event: "subscribe"}
	if ticket != "" {
		scene, ok := s.Scene(ticket)
		if !ok {
			return nil, fmt.Errorf("wechattest: unknown QR ticket %q", ticket)
		}
		ev.EventKey, ev.Ticket = "qrscene_"+scene, ticket
	}
	return s.post(ctx, ev, 0, false)
}

// Scan plays a follower scanning a QR code (a SCAN event with its scene).
func (s *Server) Scan(ctx context.Context, openID, ticket string) ([]Delivery, error) {
	scene, ok := s.Scene(ticket)
	if !ok {
		return nil, fmt.Errorf("wechattest: unknown QR ticket %q", ticket)
	}
	return s.post(ctx, event{FromUserName: openID, MsgType: "event", Event: "SCAN", EventKey: scene, Ticket: ticket}, 0, false)
}

// Unsubscribe plays unfollowing the account.
func (s *Server) Unsubscribe(ctx context.Context, openID string) ([]Delivery, error) {
	return s.post(ctx, event{FromUserName: openID, MsgType: "event", Event: "unsubscribe"}, 0, false)
}
