package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const controlHelp = `telegramtest: a Telegram Bot API stand-in on loopback.

Point the bot at this server (TELEGRAM_API_URL=%[1]s, token %[2]s), then
play the resident with curl (GET or POST form; chat = the resident's chat ID):

  curl '%[1]s/_test/send?chat=1&text=你好'          resident writes (name=... sets the name)
  curl '%[1]s/_test/sent?chat=1&wait=1&timeout=10'  the bot's replies not read yet (waits for
                                                   >= wait new ones; since=ID: after message ID)
  curl '%[1]s/_test/press?chat=1&message=2&data=ok' resident presses an inline button
  curl '%[1]s/_test/photo?chat=1&caption=...'       resident sends a photo
  curl '%[1]s/_test/voice?chat=1&seconds=5'         resident sends a voice note
  curl '%[1]s/_test/sticker?chat=1&emoji=👍'        resident sends a sticker
  curl '%[1]s/_test/block?chat=1'                   resident blocks the bot (unblock likewise)
  curl '%[1]s/_test/state'                          counters, webhook, pending updates
`

// controlMessage is a sent message as the control endpoints show it.
type controlMessage struct {
	ChatID    int64      `json:"chat_id"`
	MessageID int        `json:"message_id"`
	Text      string     `json:"text"`
	ParseMode string     `json:"parse_mode,omitempty"`
	Buttons   [][]Button `json:"buttons,omitempty"`
	At        time.Time  `json:"at"`
}

// serveControl answers the /_test/ endpoints a person uses to talk to the
// bot by hand. They sit beside the Bot API on the same port so one address
// is all there is to remember.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	action := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_test"), "/")
	if action == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, controlHelp, s.url, s.token)
		return
	}
	if action == "state" {
		s.mu.Lock()
		state := map[string]any{
			"pending_updates": len(s.queue), "count_429": s.count429, "sent": len(s.sent),
			"edits": len(s.edits), "rejected": len(s.rejected), "webhook": s.hook.info.URL,
			"requests": s.requests,
		}
		b, err := json.Marshal(state)
		s.mu.Unlock()
		if err != nil {
			controlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		return
	}
	chatStr := r.FormValue("chat")
	chatID, err := strconv.ParseInt(chatStr, 10, 64)
	if err != nil && action != "sent" {
		controlError(w, http.StatusBadRequest, "chat: want the chat ID as an integer")
		return
	}
	from := User{ID: chatID, FirstName: r.FormValue("name")}
	if from.FirstName == "" {
		from.ID = 0 // the chat's own user
	}
	switch action {
	case "send":
		text := r.FormValue("text")
		if text == "" {
			controlError(w, http.StatusBadRequest, "text: empty")
			return
		}
		controlJSON(w, map[string]int64{"update_id": s.SendText(chatID, from, text)})
	case "photo":
		controlJSON(w, map[string]int64{"update_id": s.SendPhoto(chatID, from, r.FormValue("caption"))})
	case "voice":
		sec, _ := strconv.Atoi(r.FormValue("seconds"))
		controlJSON(w, map[string]int64{"update_id": s.SendVoice(chatID, from, max(1, sec))})
	case "sticker":
		controlJSON(w, map[string]int64{"update_id": s.SendSticker(chatID, from, r.FormValue("emoji"))})
	case "press":
		msgID, err := strconv.Atoi(r.FormValue("message"))
		if err != nil {
			controlError(w, http.StatusBadRequest, "message: want the message ID as an integer")
			return
		}
		id, err := s.PressButton(chatID, msgID, r.FormValue("data"))
		if err != nil {
			controlError(w, http.StatusNotFound, err.Error())
			return
		}
		controlJSON(w, map[string]string{"callback_query_id": id})
	case "block":
		s.BlockChat(chatID)
		controlJSON(w, map[string]bool{"blocked": true})
	case "unblock":
		s.UnblockChat(chatID)
		controlJSON(w, map[string]bool{"blocked": false})
	case "sent":
		s.controlSent(w, r, chatStr, chatID)
	default:
		controlError(w, http.StatusNotFound, "unknown control endpoint; see /_test/")
	}
}

// controlSent lists the bot's messages to a chat that the caller has not
// read yet: those after the last one an earlier call returned, or after
// message id since= when given (since=0: all of them). wait=N holds the
// answer until N such messages exist or timeout= seconds (default 10) pass,
// and then returns what there is. A person walking through a conversation
// with curl thus sees each reply once, and wait=1 after a new message
// really waits for the reply to it. Without chat=, every chat's messages.
func (s *Server) controlSent(w http.ResponseWriter, r *http.Request, chatStr string, chatID int64) {
	var msgs []SentMessage
	if chatStr == "" {
		msgs = s.Sent()
	} else {
		after := s.readCursor(chatID)
		if v := r.FormValue("since"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				controlError(w, http.StatusBadRequest, "since: want a message ID (0 or more)")
				return
			}
			after = n
		}
		wait := 0
		if v := r.FormValue("wait"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				controlError(w, http.StatusBadRequest, "wait: want a number of messages (0 or more)")
				return
			}
			wait = n
		}
		timeout := 10 * time.Second
		if v := r.FormValue("timeout"); v != "" {
			t, err := strconv.Atoi(v)
			if err != nil || t <= 0 {
				controlError(w, http.StatusBadRequest, "timeout: want seconds (1 or more)")
				return
			}
			timeout = time.Duration(t) * time.Second
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		// On timeout WaitForNew still returns what came: fewer than asked
		// is an answer too, and the caller can count.
		msgs, _ = s.WaitForNew(ctx, chatID, after, wait)
		s.markRead(chatID, msgs)
	}
	out := make([]controlMessage, len(msgs))
	for i, m := range msgs {
		out[i] = controlMessage{
			ChatID: m.ChatID, MessageID: m.MessageID, Text: m.Text, ParseMode: m.ParseMode,
			Buttons: m.InlineKeyboard(), At: m.At,
		}
	}
	controlJSON(w, out)
}

func controlJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func controlError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
