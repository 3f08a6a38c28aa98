package telegram

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/safetynet/safetynet/chat"
)

// Channel is Telegram's name in chat.Address.
const Channel = "telegram"

// Limits are Telegram's: buttons, writing first allowed (once the resident
// started the bot), about 30 messages a second overall and one a second
// per chat.
var Limits = chat.Limits{MaxText: maxMessage, Buttons: true, Push: true, ChatGap: time.Second, GlobalPerSec: 25}

// Sender is the chat.Sender for Telegram, used for conversation replies,
// staff replies and outreach alike. Failures come back as chat's typed
// errors: 429 → RateLimitedError, 403 → BlockedError, other 4xx →
// PermanentError, 5xx and network → TransientError.
type Sender struct {
	api *tg.Bot
}

// NewSender builds a sender on its own client for the token; serverURL ""
// means Telegram's own API. It does not call getMe, so it works before the
// network does (outreach commands, tests).
func NewSender(token, serverURL string) (*Sender, error) {
	if token == "" {
		return nil, errors.New("TELEGRAM_BOT_TOKEN: empty")
	}
	// The default client keeps two idle connections per host; dispatch
	// sends from many goroutines, so keep more to avoid reconnecting.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 512
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	opts := []tg.Option{tg.WithSkipGetMe(), tg.WithHTTPClient(time.Minute, client)}
	if serverURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(serverURL, "/")))
	}
	api, err := tg.New(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return &Sender{api: api}, nil
}

// Username asks Telegram for the bot's username (for binding links).
func (s *Sender) Username(ctx context.Context) (string, error) {
	me, err := s.api.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram getMe: %w", err)
	}
	return me.Username, nil
}

// Limits implements the channel's part of chat.
func (s *Sender) Limits() chat.Limits { return Limits }

// chatID parses a Telegram address.
func chatID(to chat.Address) (int64, error) {
	if to.Channel != Channel {
		return 0, &chat.PermanentError{Reason: fmt.Sprintf("channel %q is not telegram", to.Channel)}
	}
	id, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil || id == 0 {
		return 0, &chat.PermanentError{Reason: "chat id: not a Telegram chat id"}
	}
	return id, nil
}

// Send implements chat.Sender: plain text (no parse mode: nothing a
// document or a resident wrote can be taken as markup), split into parts
// when longer than one message, the buttons under the last. It returns the
// last part's message id.
func (s *Sender) Send(ctx context.Context, to chat.Address, m chat.Message) (string, error) {
	id, err := chatID(to)
	if err != nil {
		return "", err
	}
	parts := split(m.Text, maxMessage)
	var last int
	for i, part := range parts {
		p := &tg.SendMessageParams{
			ChatID: id, Text: part,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		}
		if i == 0 && m.ReplyTo != "" {
			if rid, err := strconv.Atoi(m.ReplyTo); err == nil {
				p.ReplyParameters = &models.ReplyParameters{MessageID: rid, AllowSendingWithoutReply: true}
			}
		}
		if i == len(parts)-1 {
			p.ReplyMarkup = keyboard(m.Buttons)
		}
		msg, err := s.api.SendMessage(ctx, p)
		if err != nil {
			return "", Classify(err)
		}
		last = msg.ID
	}
	return strconv.Itoa(last), nil
}

func keyboard(rows [][]chat.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := make([][]models.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		r := make([]models.InlineKeyboardButton, 0, len(row))
		for _, btn := range row {
			r = append(r, models.InlineKeyboardButton{Text: btn.Text, CallbackData: btn.Data})
		}
		kb = append(kb, r)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// Classify maps a go-telegram/bot error onto chat's typed errors.
func Classify(err error) error {
	var tooMany *tg.TooManyRequestsError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooMany):
		return &chat.RateLimitedError{RetryAfter: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	case errors.Is(err, tg.ErrorForbidden):
		return &chat.BlockedError{Reason: "对方已屏蔽机器人或聊天不存在（403）"}
	case errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorUnauthorized):
		// A wrong token or API URL: every message would fail the same way.
		return &chat.PermanentError{Reason: err.Error(), Err: err}
	case errors.Is(err, tg.ErrorBadRequest):
		var mig *tg.MigrateError
		if errors.As(err, &mig) {
			return &chat.BlockedError{Reason: "群组已迁移"}
		}
		if containsChatNotFound(err.Error()) {
			return &chat.BlockedError{Reason: "聊天不存在（400）"}
		}
		return &chat.PermanentError{Reason: err.Error(), Err: err}
	default:
		return &chat.TransientError{Err: err} // 5xx, network: retried with backoff
	}
}

func containsChatNotFound(s string) bool {
	for _, needle := range []string{"chat not found", "user not found", "PEER_ID_INVALID"} {
		if strings.Contains(s, needle) {
			return true
		}
	}
	return false
}
