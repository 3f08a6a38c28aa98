package telegramtest

import (
	"encoding/json"
	"time"
)

// User is a Telegram user as the Bot API encodes it.
type User struct {
	ID                    int64  `json:"id"`
	IsBot                 bool   `json:"is_bot"`
	FirstName             string `json:"first_name"`
	LastName              string `json:"last_name,omitempty"`
	Username              string `json:"username,omitempty"`
	LanguageCode          string `json:"language_code,omitempty"`
	CanJoinGroups         bool   `json:"can_join_groups,omitempty"`
	SupportsInlineQueries bool   `json:"supports_inline_queries,omitempty"`
}

// SentMessage is a message the bot sent and the server accepted.
type SentMessage struct {
	ChatID    int64
	MessageID int
	Text      string
	ParseMode string
	// ReplyMarkup is the reply_markup JSON as the bot sent it (nil if none).
	ReplyMarkup json.RawMessage
	At          time.Time
}

// Button is one inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// InlineKeyboard decodes the message's inline keyboard, row by row; nil if
// it has none. Decoded on demand so recording a message stays cheap.
func (m SentMessage) InlineKeyboard() [][]Button {
	return inlineKeyboard(m.ReplyMarkup)
}

// Buttons is the inline keyboard flattened, left to right, top to bottom.
func (m SentMessage) Buttons() []Button {
	var out []Button
	for _, row := range m.InlineKeyboard() {
		out = append(out, row...)
	}
	return out
}

func inlineKeyboard(markup json.RawMessage) [][]Button {
	if len(markup) == 0 {
		return nil
	}
	var k struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if json.Unmarshal(markup, &k) != nil {
		return nil
	}
	return k.InlineKeyboard
}

// Edit is an accepted editMessageText or editMessageReplyMarkup.
type Edit struct {
	Method    string // "editMessageText" or "editMessageReplyMarkup"
	ChatID    int64
	MessageID int
	// Text is the new text (editMessageText only).
	Text        string
	ParseMode   string
	ReplyMarkup json.RawMessage
	At          time.Time
}

// CallbackAnswer is an accepted answerCallbackQuery.
type CallbackAnswer struct {
	CallbackQueryID string
	ChatID          int64
	Data            string // the pressed button's callback_data
	Text            string
	ShowAlert       bool
	At              time.Time
}

// Rejection is a call the server refused with an error.
type Rejection struct {
	Method      string
	ChatID      int64
	Text        string
	Code        int
	Description string
	RetryAfter  int
	At          time.Time
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// WebhookInfo is what getWebhookInfo reports.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
	// SecretToken is not part of getWebhookInfo (Telegram never echoes it);
	// it is here so tests can check what the bot registered.
	SecretToken string `json:"-"`
}

// Wire types: the subset of the Bot API's objects this server produces.

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type wireEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireVoice struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
}

type wireMessage struct {
	MessageID   int             `json:"message_id"`
	From        *User           `json:"from,omitempty"`
	Date        int64           `json:"date"`
	Chat        wireChat        `json:"chat"`
	EditDate    int64           `json:"edit_date,omitempty"`
	Text        string          `json:"text,omitempty"`
	Entities    []wireEntity    `json:"entities,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	Photo       []wirePhotoSize `json:"photo,omitempty"`
	Voice       *wireVoice      `json:"voice,omitempty"`
	Sticker     *wireSticker    `json:"sticker,omitempty"`
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
}

type wireCallbackQuery struct {
	ID           string       `json:"id"`
	From         User         `json:"from"`
	Message      *wireMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

type wireUpdate struct {
	UpdateID      int64              `json:"update_id"`
	Message       *wireMessage       `json:"message,omitempty"`
	CallbackQuery *wireCallbackQuery `json:"callback_query,omitempty"`
}
