package tgsend_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegramtest"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/outreach/tgsend"
)

func TestSendAndClassify(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	s, err := tgsend.New(tg.Token(), tg.URL())
	require.NoError(t, err)
	ctx := context.Background()

	name, err := s.Username(ctx)
	require.NoError(t, err)
	require.Equal(t, tg.Me().Username, name)

	id, err := s.Send(ctx, 7, "你好", [][]outreach.Button{{{Text: "我已知晓", Data: "o:ack:1"}}})
	require.NoError(t, err)
	m, ok := tg.Message(7, id)
	require.True(t, ok)
	require.Equal(t, "o:ack:1", m.Buttons()[0].CallbackData)

	tg.FailNext(8, 429, "Too Many Requests: retry after 3")
	_, err = s.Send(ctx, 8, "x", nil)
	var rl *outreach.RateLimitedError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 3*time.Second, rl.RetryAfter)

	tg.BlockChat(9)
	_, err = s.Send(ctx, 9, "x", nil)
	var un *outreach.UnreachableError
	require.ErrorAs(t, err, &un)

	tg.FailNext(10, 500, "Internal Server Error")
	_, err = s.Send(ctx, 10, "x", nil)
	require.Error(t, err)
	require.False(t, errors.As(err, &rl) || errors.As(err, &un))
	var perm *outreach.PermanentError
	require.False(t, errors.As(err, &perm), "5xx is retried, not permanent")

	tg.FailNext(11, 400, "Bad Request: chat not found")
	_, err = s.Send(ctx, 11, "x", nil)
	require.ErrorAs(t, err, &un)
}
