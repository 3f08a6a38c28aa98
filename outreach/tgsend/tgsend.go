// Package tgsend sends outreach messages through the Telegram Bot API with
// github.com/go-telegram/bot and translates the API's answers into the
// outreach error kinds: 429 → RateLimitedError (wait retry_after), 403 →
// UnreachableError (blocked or gone), other 4xx → PermanentError, 5xx and
// network failures → plain errors that dispatch retries with backoff.
package tgsend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/safetynet/safetynet/outreach"
)

// Sender is an outreach.Sender on a Telegram bot.
type Sender struct {
	b *bot.Bot
}

// New builds a sender for the bot token; serverURL "" means Telegram's own
// API. It does not call getMe, so it works before the network does.
func New(token, serverURL string) (*Sender, error) {
	// The default client keeps two idle connections per host; dispatch
	// sends from many goroutines, so keep more to avoid reconnecting.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 512
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	opts := []bot.Option{bot.WithSkipGetMe(), bot.WithHTTPClient(time.Minute, client)}
	if serverURL != "" {
		opts = append(opts, bot.WithServerURL(serverURL))
	}
	b, err := bot.New(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram bot: %w", err)
	}
	return &Sender{b: b}, nil
}

// Bot exposes the client, e.g. for getMe.
func (s *Sender) Bot() *bot.Bot { return s.b }

// Username asks Telegram for the bot's username (for binding links).
func (s *Sender) Username(ctx context.Context) (string, error) {
	me, err := s.b.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram getMe: %w", err)
	}
	return me.Username, nil
}

// Send implements outreach.Sender.
func (s *Sender) Send(ctx context.Context, chatID int64, text string, buttons [][]outreach.Button) (int, error) {
	p := &bot.SendMessageParams{ChatID: chatID, Text: text}
	if len(buttons) > 0 {
		kb := make([][]models.InlineKeyboardButton, len(buttons))
		for i, row := range buttons {
			for _, b := range row {
				kb[i] = append(kb[i], models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data})
			}
		}
		p.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: kb}
	}
	msg, err := s.b.SendMessage(ctx, p)
	if err != nil {
		return 0, Classify(err)
	}
	return msg.ID, nil
}

// Classify maps a go-telegram/bot error onto the outreach error kinds.
func Classify(err error) error {
	var tooMany *bot.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		return &outreach.RateLimitedError{RetryAfter: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	case errors.Is(err, bot.ErrorForbidden):
		return &outreach.UnreachableError{Reason: "对方已屏蔽机器人或聊天不存在（403）"}
	case errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorUnauthorized):
		// A wrong token or API URL: every message would fail the same way.
		return &outreach.PermanentError{Reason: err.Error()}
	case errors.Is(err, bot.ErrorBadRequest):
		var mig *bot.MigrateError
		if errors.As(err, &mig) {
			return &outreach.UnreachableError{Reason: "群组已迁移"}
		}
		if containsChatNotFound(err.Error()) {
			return &outreach.UnreachableError{Reason: "聊天不存在（400）"}
		}
		return &outreach.PermanentError{Reason: err.Error()}
	default:
		return err // 5xx, network: retried with backoff
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
