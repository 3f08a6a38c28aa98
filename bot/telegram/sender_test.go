package telegram_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/telegramtest"
)

func TestSendAndClassify(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	s, err := telegram.NewSender(tg.Token(), tg.URL())
	require.NoError(t, err)
	ctx := context.Background()

	name, err := s.Username(ctx)
	require.NoError(t, err)
	require.Equal(t, tg.Me().Username, name)

	id, err := s.Send(ctx, to(7), chat.Message{Text: "你好", Buttons: [][]chat.Button{{{Text: "我已知晓", Data: "o:ack:1"}}}})
	require.NoError(t, err)
	mid, err := strconv.Atoi(id)
	require.NoError(t, err)
	m, ok := tg.Message(7, mid)
	require.True(t, ok)
	require.Equal(t, "o:ack:1", m.Buttons()[0].CallbackData)

	tg.FailNext(8, 429, "Too Many Requests: retry after 3")
	_, err = s.Send(ctx, to(8), chat.Message{Text: "x"})
	var rl *chat.RateLimitedError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 3*time.Second, rl.RetryAfter)

	tg.BlockChat(9)
	_, err = s.Send(ctx, to(9), chat.Message{Text: "x"})
	var un *chat.BlockedError
	require.ErrorAs(t, err, &un)

	tg.FailNext(10, 500, "Internal Server Error")
	_, err = s.Send(ctx, to(10), chat.Message{Text: "x"})
	require.Error(t, err)
	require.False(t, errors.As(err, &rl) || errors.As(err, &un))
	var perm *chat.PermanentError
	require.False(t, errors.As(err, &perm), "5xx is retried, not permanent")

	tg.FailNext(11, 400, "Bad Request: chat not found")
	_, err = s.Send(ctx, to(11), chat.Message{Text: "x"})
	require.ErrorAs(t, err, &un)
}

func to(id int64) chat.Address {
	return chat.Address{Channel: telegram.Channel, ID: strconv.FormatInt(id, 10)}
}
