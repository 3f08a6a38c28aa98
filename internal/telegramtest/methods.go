package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

type methodFunc func(s *Server, w http.ResponseWriter, r *http.Request, p params)

// methods maps lower-case Bot API method names to their handlers.
var methods = map[string]methodFunc{
	"getme":                  getMe,
	"getupdates":             getUpdates,
	"sendmessage":            sendMessage,
	"editmessagetext":        editMessage,
	"editmessagereplymarkup": editMessage,
	"answercallbackquery":    answerCallbackQuery,
	"sendchataction":         sendChatAction,
	"setwebhook":             setWebhook,
	"deletewebhook":          deleteWebhook,
	"getwebhookinfo":         getWebhookInfo,
	"setmycommands":          setMyCommands,
	"getmycommands":          getMyCommands,
	"deletemessage":          deleteMessage,
	"getchat":                getChat,
}

// reject records a refused call and writes the error answer.
func (s *Server) reject(w http.ResponseWriter, method string, chatID int64, text string, e *apiError) {
	s.mu.Lock()
	s.rejectLocked(method, chatID, text, e)
	s.mu.Unlock()
	e.write(w)
}

func (s *Server) rejectLocked(method string, chatID int64, text string, e *apiError) {
	if e.code == http.StatusTooManyRequests {
		s.count429++
	}
	s.rejected = append(s.rejected, Rejection{
		Method: method, ChatID: chatID, Text: text, Code: e.code,
		Description: e.desc, RetryAfter: e.retryAfter, At: time.Now(),
	})
	s.notifyLocked()
}

func getMe(s *Server, w http.ResponseWriter, _ *http.Request, _ params) {
	writeOK(w, s.me)
}

const maxTextLen = 4096

// checkText validates text and parse_mode the way Telegram does before it
// accepts a message, so formatting bugs fail in tests, not in production.
func checkText(text, parseMode string) *apiError {
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	visible := utf8.RuneCountInString(text)
	switch parseMode {
	case "":
	case "HTML":
		n, err := checkHTML(text)
		if err != nil {
			return badRequest("can't parse entities: " + err.Error())
		}
		visible = n
	case "MarkdownV2":
		if err := checkMarkdownV2(text); err != nil {
			return badRequest("can't parse entities: " + err.Error())
		}
	case "Markdown":
		// The legacy dialect is lenient; nothing is checked.
	default:
		return badRequest("unsupported parse_mode")
	}
	if visible > maxTextLen {
		return badRequest("message is too long")
	}
	return nil
}

// checkMarkup validates reply_markup JSON, including the 1–64 byte limit
// on callback_data that is easy to overrun with Chinese text.
func checkMarkup(markup string) (json.RawMessage, *apiError) {
	markup = strings.TrimSpace(markup)
	if markup == "" || markup == "null" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard *[][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          string  `json:"url"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.InlineKeyboard != nil {
		for _, row := range *m.InlineKeyboard {
			for _, b := range row {
				if b.Text == "" {
					return nil, badRequest("text buttons are unallowed in the inline keyboard")
				}
				if b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64) {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
		}
	}
	return json.RawMessage(markup), nil
}

func sendMessage(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "sendMessage"
	chatID, e := p.chatID()
	if e != nil {
		s.reject(w, method, 0, p["text"], e)
		return
	}
	text, parseMode := p["text"], p["parse_mode"]
	if e := checkText(text, parseMode); e != nil {
		s.reject(w, method, chatID, text, e)
		return
	}
	markup, e := checkMarkup(p["reply_markup"])
	if e != nil {
		s.reject(w, method, chatID, text, e)
		return
	}

	now := time.Now()
	s.mu.Lock()
	c := s.chatLocked(chatID)
	if e := s.admitSendLocked(c, now); e != nil {
		s.rejectLocked(method, chatID, text, e)
		s.mu.Unlock()
		e.write(w)
		return
	}
	c.nextMsgID++
	id := c.nextMsgID
	sm := &storedMessage{fromBot: true, date: now.Unix(), text: text, parseMode: parseMode, markup: markup}
	c.msgs[id] = sm
	rec := SentMessage{ChatID: chatID, MessageID: id, Text: text, ParseMode: parseMode, ReplyMarkup: markup, At: now}
	c.sent = append(c.sent, rec)
	s.sent = append(s.sent, rec)
	msg := s.botWireMessageLocked(c, id, sm)
	s.notifyLocked()
	s.mu.Unlock()
	writeOK(w, msg)
}

// editMessage serves editMessageText and editMessageReplyMarkup.
func editMessage(s *Server, w http.ResponseWriter, r *http.Request, p params) {
	method := "editMessageText"
	isText := strings.EqualFold(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], "editMessageText")
	if !isText {
		method = "editMessageReplyMarkup"
	}
	if p["inline_message_id"] != "" {
		// Inline-mode messages are not modelled; Telegram answers true.
		writeRawOK(w, []byte("true"))
		return
	}
	chatID, e := p.chatID()
	if e != nil {
		s.reject(w, method, 0, p["text"], e)
		return
	}
	msgID, ok := p.int("message_id")
	if !ok {
		s.reject(w, method, chatID, p["text"], badRequest("message identifier is not specified"))
		return
	}
	text, parseMode := p["text"], p["parse_mode"]
	if isText {
		if e := checkText(text, parseMode); e != nil {
			s.reject(w, method, chatID, text, e)
			return
		}
	}
	markup, e := checkMarkup(p["reply_markup"])
	if e != nil {
		s.reject(w, method, chatID, text, e)
		return
	}

	now := time.Now()
	s.mu.Lock()
	c := s.chatLocked(chatID)
	m := c.msgs[msgID]
	switch {
	case c.blocked:
		e = errBlocked
	case m == nil || m.deleted:
		e = badRequest("message to edit not found")
	case !m.fromBot:
		e = badRequest("message can't be edited")
	case (!isText || m.text == text) && bytes.Equal(m.markup, markup):
		// Telegram refuses no-op edits; bots must not rely on them.
		e = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if e != nil {
		s.rejectLocked(method, chatID, text, e)
		s.mu.Unlock()
		e.write(w)
		return
	}
	if isText {
		m.text, m.parseMode = text, parseMode
	}
	// Both edits replace the keyboard; omitting reply_markup removes it.
	m.markup = markup
	m.editDate = now.Unix()
	s.edits = append(s.edits, Edit{
		Method: method, ChatID: chatID, MessageID: msgID, Text: text,
		ParseMode: parseMode, ReplyMarkup: markup, At: now,
	})
	msg := s.botWireMessageLocked(c, msgID, m)
	s.notifyLocked()
	s.mu.Unlock()
	writeOK(w, msg)
}

func answerCallbackQuery(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "answerCallbackQuery"
	id := p["callback_query_id"]
	now := time.Now()
	s.mu.Lock()
	cb := s.callbacks[id]
	if cb == nil || cb.answered {
		e := badRequest("query is too old and response timeout expired or query ID is invalid")
		s.rejectLocked(method, 0, p["text"], e)
		s.mu.Unlock()
		e.write(w)
		return
	}
	cb.answered = true
	s.answered = append(s.answered, CallbackAnswer{
		CallbackQueryID: id, ChatID: cb.chatID, Data: cb.data,
		Text: p["text"], ShowAlert: p.bool("show_alert"), At: now,
	})
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func sendChatAction(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "sendChatAction"
	chatID, e := p.chatID()
	if e != nil {
		s.reject(w, method, 0, "", e)
		return
	}
	action := p["action"]
	if !chatActions[action] {
		s.reject(w, method, chatID, action, badRequest("wrong parameter action in request"))
		return
	}
	s.mu.Lock()
	c := s.chatLocked(chatID)
	if c.blocked {
		s.rejectLocked(method, chatID, action, errBlocked)
		s.mu.Unlock()
		errBlocked.write(w)
		return
	}
	c.actions = append(c.actions, action)
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func setWebhook(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "setWebhook"
	url := strings.TrimSpace(p["url"])
	secret := p["secret_token"]
	if secret != "" && !secretTokenRe.MatchString(secret) {
		s.reject(w, method, 0, "", badRequest("secret token contains unallowed characters"))
		return
	}
	if url != "" && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		// The real server insists on https; loopback bots listen on http.
		s.reject(w, method, 0, "", badRequest("bad webhook: An HTTPS URL must be provided for webhook"))
		return
	}
	var allowed map[string]bool
	var allowedList []string
	if a := p["allowed_updates"]; a != "" && a != "[]" {
		if err := json.Unmarshal([]byte(a), &allowedList); err != nil {
			s.reject(w, method, 0, "", badRequest("can't parse allowed_updates JSON array"))
			return
		}
		allowed = make(map[string]bool, len(allowedList))
		for _, k := range allowedList {
			allowed[k] = true
		}
	}
	maxConn, ok := p.int("max_connections")
	if !ok {
		maxConn = 40
	}
	s.mu.Lock()
	if url == "" {
		s.hook = webhookState{}
	} else {
		s.hook = webhookState{
			info: WebhookInfo{
				URL: url, MaxConnections: maxConn, AllowedUpdates: allowedList, SecretToken: secret,
			},
			allowed: allowed,
		}
		// A webhook ends any long poll in progress.
		close(s.poller)
		s.poller = make(chan struct{})
	}
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	close(s.updatesReady)
	s.updatesReady = make(chan struct{})
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

func deleteWebhook(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	s.hook = webhookState{}
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	close(s.updatesReady)
	s.updatesReady = make(chan struct{})
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

func getWebhookInfo(s *Server, w http.ResponseWriter, _ *http.Request, _ params) {
	writeOK(w, s.Webhook())
}

// Webhook is the current webhook registration (URL empty in polling mode),
// including the secret token the bot set.
func (s *Server) Webhook() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := s.hook.info
	info.PendingUpdateCount = len(s.queue)
	return info
}

var commandRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func setMyCommands(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "setMyCommands"
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		s.reject(w, method, 0, "", badRequest("can't parse commands JSON array"))
		return
	}
	if len(cmds) > 100 {
		s.reject(w, method, 0, "", badRequest("too many commands"))
		return
	}
	for _, c := range cmds {
		if !commandRe.MatchString(c.Command) {
			s.reject(w, method, 0, c.Command, badRequest("BOT_COMMAND_INVALID"))
			return
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			s.reject(w, method, 0, c.Command, badRequest("BOT_COMMAND_DESCRIPTION_INVALID"))
			return
		}
	}
	s.mu.Lock()
	s.commands = cmds
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

func getMyCommands(s *Server, w http.ResponseWriter, _ *http.Request, _ params) {
	cmds := s.Commands()
	if cmds == nil {
		cmds = []BotCommand{}
	}
	writeOK(w, cmds)
}

// Commands is the command menu from the last setMyCommands.
func (s *Server) Commands() []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands...)
}

func deleteMessage(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	const method = "deleteMessage"
	chatID, e := p.chatID()
	if e != nil {
		s.reject(w, method, 0, "", e)
		return
	}
	msgID, _ := p.int("message_id")
	s.mu.Lock()
	c := s.chatLocked(chatID)
	m := c.msgs[msgID]
	if m == nil || m.deleted {
		e := badRequest("message to delete not found")
		s.rejectLocked(method, chatID, "", e)
		s.mu.Unlock()
		e.write(w)
		return
	}
	m.deleted = true
	c.deleted = append(c.deleted, msgID)
	s.notifyLocked()
	s.mu.Unlock()
	writeRawOK(w, []byte("true"))
}

type wireChatFullInfo struct {
	wireChat
	AccentColorID    int `json:"accent_color_id"`
	MaxReactionCount int `json:"max_reaction_count"`
}

func getChat(s *Server, w http.ResponseWriter, _ *http.Request, p params) {
	chatID, e := p.chatID()
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	c := s.chats[chatID]
	var info wireChatFullInfo
	known := c != nil && (c.known || len(c.sent) > 0)
	if known {
		info = wireChatFullInfo{wireChat: c.chat, MaxReactionCount: 11}
	}
	s.mu.Unlock()
	if !known {
		badRequest("chat not found").write(w)
		return
	}
	writeOK(w, info)
}
