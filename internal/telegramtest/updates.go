package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// chatState is everything the server knows about one chat.
type chatState struct {
	chat      wireChat
	user      User // the resident on the other side (private chats)
	known     bool // the resident has written to the bot
	nextMsgID int
	// msgs holds both sides' messages: Telegram numbers them per private
	// chat, and buttons are pressed on the bot's messages.
	msgs map[int]*storedMessage
	sent []SentMessage
	// read is the message id of the last bot message the control API's
	// /_test/sent handed out for this chat: the next call waits for
	// messages after it.
	read     int
	actions  []string
	deleted  []int
	bucket   bucket
	failNext []failure
	blocked  bool
}

type storedMessage struct {
	fromBot   bool
	date      int64
	editDate  int64
	text      string
	parseMode string
	markup    json.RawMessage
	deleted   bool
}

type callbackState struct {
	chatID   int64
	data     string
	answered bool
}

type queuedUpdate struct {
	id   int64
	kind string // "message", "callback_query", ...: matched against allowed_updates
	body []byte // encoded once, when queued
}

type webhookState struct {
	info    WebhookInfo
	allowed map[string]bool
}

// chatLocked returns the chat's state, creating it on first use. Callers
// hold s.mu.
func (s *Server) chatLocked(id int64) *chatState {
	c := s.chats[id]
	if c != nil {
		return c
	}
	c = &chatState{
		chat:   wireChat{ID: id, Type: "private"},
		user:   User{ID: id, FirstName: "Resident " + strconv.FormatInt(id, 10)},
		msgs:   make(map[int]*storedMessage),
		bucket: bucket{rate: s.cfg.chatRate, burst: s.cfg.chatBurst, tokens: s.cfg.chatBurst},
	}
	if id < 0 {
		c.chat = wireChat{ID: id, Type: "group", Title: "Group " + strconv.FormatInt(-id, 10)}
	} else {
		c.chat.FirstName = c.user.FirstName
	}
	s.chats[id] = c
	return c
}

// meetLocked records that from writes in chat id, so the chat shows their
// name as Telegram's private chats do.
func (s *Server) meetLocked(id int64, from User) *chatState {
	c := s.chatLocked(id)
	if from.ID == 0 {
		from = c.user
	}
	c.user, c.known = from, true
	if c.chat.Type == "private" {
		c.chat.FirstName, c.chat.LastName, c.chat.Username = from.FirstName, from.LastName, from.Username
	}
	return c
}

// enqueueLocked assigns the next update_id, encodes the update and wakes
// long polls and the webhook loop.
func (s *Server) enqueueLocked(kind string, fill func(u *wireUpdate)) int64 {
	s.nextUpdateID++
	u := wireUpdate{UpdateID: s.nextUpdateID}
	fill(&u)
	b, err := json.Marshal(u)
	if err != nil {
		// Only our own wire structs are encoded here, so this cannot happen.
		panic(fmt.Sprintf("telegramtest: encode update: %v", err))
	}
	s.queue = append(s.queue, queuedUpdate{id: u.UpdateID, kind: kind, body: b})
	close(s.updatesReady)
	s.updatesReady = make(chan struct{})
	s.notifyLocked()
	return u.UpdateID
}

// userMessageLocked stores a message from the resident and queues it.
func (s *Server) userMessageLocked(chatID int64, from User, fill func(m *wireMessage)) int64 {
	c := s.meetLocked(chatID, from)
	c.nextMsgID++
	now := time.Now().Unix()
	m := &wireMessage{MessageID: c.nextMsgID, Date: now, Chat: c.chat}
	u := c.user
	m.From = &u
	fill(m)
	c.msgs[m.MessageID] = &storedMessage{date: now, text: m.Text}
	return s.enqueueLocked("message", func(up *wireUpdate) { up.Message = m })
}

// SendText delivers a text message from a resident to the bot and returns
// its update_id. from.ID 0 means the chat's own user (private chat ID ==
// user ID). A leading /command gets a bot_command entity, which command
// handlers match on.
func (s *Server) SendText(chatID int64, from User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chatID, from, func(m *wireMessage) {
		m.Text = text
		if strings.HasPrefix(text, "/") {
			cmd, _, _ := strings.Cut(text, " ")
			cmd, _, _ = strings.Cut(cmd, "\n")
			m.Entities = []wireEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
		}
	})
}

// utf16Len is the length Telegram uses for entity offsets.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// SendPhoto delivers a photo with an optional caption and returns its update_id.
func (s *Server) SendPhoto(chatID int64, from User, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpdateID + 1
	return s.userMessageLocked(chatID, from, func(m *wireMessage) {
		m.Caption = caption
		fid := "photo-" + strconv.FormatInt(id, 10)
		m.Photo = []wirePhotoSize{
			{FileID: fid + "-s", FileUniqueID: fid + "s", Width: 90, Height: 67, FileSize: 1200},
			{FileID: fid + "-m", FileUniqueID: fid + "m", Width: 800, Height: 600, FileSize: 52000},
		}
	})
}

// SendVoice delivers a voice note of the given length and returns its update_id.
func (s *Server) SendVoice(chatID int64, from User, seconds int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpdateID + 1
	return s.userMessageLocked(chatID, from, func(m *wireMessage) {
		fid := "voice-" + strconv.FormatInt(id, 10)
		m.Voice = &wireVoice{FileID: fid, FileUniqueID: fid, Duration: seconds, MimeType: "audio/ogg", FileSize: 4000 * max(1, seconds)}
	})
}

// SendSticker delivers a sticker showing emoji and returns its update_id.
func (s *Server) SendSticker(chatID int64, from User, emoji string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpdateID + 1
	return s.userMessageLocked(chatID, from, func(m *wireMessage) {
		fid := "sticker-" + strconv.FormatInt(id, 10)
		m.Sticker = &wireSticker{FileID: fid, FileUniqueID: fid, Type: "regular", Width: 512, Height: 512, Emoji: emoji}
	})
}

// SendUpdate queues an arbitrary update: kind is its field name
// ("edited_message", "my_chat_member", ...) and payload that field's
// object. It returns the update_id.
func (s *Server) SendUpdate(kind string, payload any) (int64, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("encode %s payload: %w", kind, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdateID++
	id := s.nextUpdateID
	body := []byte(`{"update_id":` + strconv.FormatInt(id, 10) + `,` + strconv.Quote(kind) + `:`)
	body = append(append(body, b...), '}')
	s.queue = append(s.queue, queuedUpdate{id: id, kind: kind, body: body})
	close(s.updatesReady)
	s.updatesReady = make(chan struct{})
	s.notifyLocked()
	return id, nil
}

// ErrNoSuchButton means PressButton found no message or button to press.
var ErrNoSuchButton = errors.New("telegramtest: no such button")

// PressButton presses the inline button with callback_data data on the
// bot's message messageID in chatID, as the chat's user, and returns the
// callback query ID. Like a real client it can only press a button the
// message currently shows.
func (s *Server) PressButton(chatID int64, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return "", fmt.Errorf("%w: chat %d unknown", ErrNoSuchButton, chatID)
	}
	m := c.msgs[messageID]
	if m == nil || !m.fromBot || m.deleted {
		return "", fmt.Errorf("%w: chat %d has no bot message %d", ErrNoSuchButton, chatID, messageID)
	}
	found := false
	for _, row := range inlineKeyboard(m.markup) {
		for _, b := range row {
			found = found || b.CallbackData == data
		}
	}
	if !found {
		return "", fmt.Errorf("%w: message %d in chat %d has no button %q", ErrNoSuchButton, messageID, chatID, data)
	}
	s.nextCB++
	cbID := strconv.FormatInt(s.me.ID, 10) + "-" + strconv.FormatInt(s.nextCB, 10)
	s.callbacks[cbID] = &callbackState{chatID: chatID, data: data}
	msg := s.botWireMessageLocked(c, messageID, m)
	q := &wireCallbackQuery{
		ID: cbID, From: c.user, Message: msg, Data: data,
		ChatInstance: "ci" + strconv.FormatInt(chatID, 10),
	}
	s.enqueueLocked("callback_query", func(u *wireUpdate) { u.CallbackQuery = q })
	return cbID, nil
}

func (s *Server) botWireMessageLocked(c *chatState, id int, m *storedMessage) *wireMessage {
	me := s.me
	return &wireMessage{
		MessageID: id, From: &me, Date: m.date, Chat: c.chat, EditDate: m.editDate,
		Text: m.text, ReplyMarkup: m.markup,
	}
}

// Pending is how many updates wait for the bot (not yet confirmed by a
// getUpdates offset or delivered to the webhook).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

var errPollConflict = &apiError{
	code: http.StatusConflict,
	desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
}

var errWebhookActive = &apiError{
	code: http.StatusConflict,
	desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
}

// getUpdates implements long polling: updates below offset are confirmed
// and forgotten; if none remain the call waits up to timeout seconds.
func getUpdates(s *Server, w http.ResponseWriter, r *http.Request, p params) {
	offset, _ := strconv.ParseInt(strings.TrimSpace(p["offset"]), 10, 64)
	limit, ok := p.int("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int("timeout")
	var allowed map[string]bool
	if a := p["allowed_updates"]; a != "" && a != "[]" {
		var kinds []string
		if err := json.Unmarshal([]byte(a), &kinds); err != nil {
			badRequest("can't parse allowed_updates JSON array").write(w)
			return
		}
		allowed = make(map[string]bool, len(kinds))
		for _, k := range kinds {
			allowed[k] = true
		}
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}

	s.mu.Lock()
	if s.hook.info.URL != "" {
		s.mu.Unlock()
		errWebhookActive.write(w)
		return
	}
	// A newer poll ends the older one, as on the real server.
	close(s.poller)
	s.poller = make(chan struct{})
	mine := s.poller
	s.confirmLocked(offset)
	for {
		batch := s.batchLocked(offset, limit, allowed)
		if batch != nil || timeout <= 0 {
			s.mu.Unlock()
			writeRawOK(w, batch)
			return
		}
		ready := s.updatesReady
		s.mu.Unlock()
		select {
		case <-ready:
		case <-mine:
			errPollConflict.write(w)
			return
		case <-deadline:
			writeRawOK(w, []byte("[]"))
			return
		case <-r.Context().Done():
			return
		case <-s.closing:
			writeRawOK(w, []byte("[]"))
			return
		}
		s.mu.Lock()
		if s.hook.info.URL != "" {
			s.mu.Unlock()
			errWebhookActive.write(w)
			return
		}
	}
}

// confirmLocked forgets updates the bot has acknowledged. A negative offset
// keeps only the last -offset updates, as the Bot API defines.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && s.queue[i].id < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0:
		if keep := int(-offset); keep < len(s.queue) {
			s.queue = s.queue[len(s.queue)-keep:]
		}
	}
}

// batchLocked encodes up to limit queued updates as a JSON array, or
// returns nil when there are none for this caller.
func (s *Server) batchLocked(offset int64, limit int, allowed map[string]bool) []byte {
	var buf []byte
	n := 0
	for _, u := range s.queue {
		if u.id < offset {
			continue
		}
		if allowed != nil && !allowed[u.kind] {
			continue
		}
		if n == 0 {
			buf = append(buf, '[')
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, u.body...)
		n++
		if n == limit {
			break
		}
	}
	if n == 0 {
		return nil
	}
	return append(buf, ']')
}

// webhookLoop posts queued updates to the webhook one at a time, in order,
// retrying with back-off while the bot's endpoint fails, like Telegram.
func (s *Server) webhookLoop() {
	defer s.loops.Done()
	backoff := time.Duration(0)
	for {
		s.mu.Lock()
		info, allowed := s.hook.info, s.hook.allowed
		// Updates of kinds the webhook did not ask for are dropped.
		for len(s.queue) > 0 && info.URL != "" && allowed != nil && !allowed[s.queue[0].kind] {
			s.queue = s.queue[1:]
		}
		var next *queuedUpdate
		if info.URL != "" && len(s.queue) > 0 {
			u := s.queue[0]
			next = &u
		}
		ready := s.updatesReady
		s.mu.Unlock()

		if next == nil {
			select {
			case <-ready:
				continue
			case <-s.closing:
				return
			}
		}
		err := s.postUpdate(info, next.body)
		s.mu.Lock()
		if err == nil {
			if len(s.queue) > 0 && s.queue[0].id == next.id {
				s.queue = s.queue[1:]
			}
			s.hook.info.LastErrorMessage = ""
			s.notifyLocked()
		} else if s.hook.info.URL == info.URL {
			s.hook.info.LastErrorDate = time.Now().Unix()
			s.hook.info.LastErrorMessage = err.Error()
			s.notifyLocked()
		}
		s.mu.Unlock()
		if err == nil {
			backoff = 0
			continue
		}
		backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ready:
			// The webhook may have changed; try again at once.
			t.Stop()
		case <-s.closing:
			t.Stop()
			return
		}
	}
}

func (s *Server) postUpdate(info WebhookInfo, body []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, info.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad webhook URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if info.SecretToken != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", info.SecretToken)
	}
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		return fmt.Errorf("connection failed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("wrong response from the webhook: %s", resp.Status)
	}
	return nil
}
