package handoff_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
)

func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	web := webchat.New(nil, pool, nil)
	desk := handoff.New(pool, chat.Router{webchat.Channel: web.Outbox()})

	tk, existing, err := desk.Open(ctx, handoff.Request{
		Chat: chat.Address{Channel: "web", ID: "77"}, Reason: "asked",
		Transcript: []handoff.Turn{
			{Author: handoff.AuthorResident, Text: "我身份证520102199003071234，想问低保"},
			{Author: handoff.AuthorBot, Text: "好的"},
		},
	})
	require.NoError(t, err)
	require.False(t, existing)
	require.Equal(t, handoff.StatusOpen, tk.Status)
	require.Len(t, tk.Messages, 2)
	require.NotContains(t, tk.Messages[0].Text, "520102199003071234")

	again, existing, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "77"}, Reason: "asked"})
	require.NoError(t, err)
	require.True(t, existing)
	require.Equal(t, tk.ID, again.ID)

	_, err = desk.Append(ctx, chat.Address{Channel: "web", ID: "77"}, handoff.AuthorResident, "还有，我电话13812345678")
	require.NoError(t, err)
	_, err = desk.Append(ctx, chat.Address{Channel: "web", ID: "78"}, handoff.AuthorResident, "no ticket")
	require.ErrorIs(t, err, handoff.ErrNotFound)

	_, err = desk.Claim(ctx, tk.ID, "")
	require.ErrorIs(t, err, handoff.ErrStaffRequired)
	claimed, err := desk.Claim(ctx, tk.ID, "李")
	require.NoError(t, err)
	require.Equal(t, handoff.StatusClaimed, claimed.Status)
	_, err = desk.Claim(ctx, tk.ID, "张")
	require.ErrorIs(t, err, handoff.ErrClaimed)
	_, err = desk.Reply(ctx, tk.ID, "张", "我来")
	require.ErrorIs(t, err, handoff.ErrClaimed)
	_, err = desk.Reply(ctx, tk.ID, "李", "  ")
	require.ErrorIs(t, err, handoff.ErrEmptyReply)

	m, err := desk.Reply(ctx, tk.ID, "李", "请到村委会找王主任。")
	require.NoError(t, err)
	require.NotNil(t, m.DeliveredAt)
	pending, err := web.Pending(ctx, "77", 0)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Contains(t, pending[0].Text, "请到村委会找王主任。")

	got, err := desk.Get(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, got.Messages, 4)
	require.NotContains(t, got.Messages[2].Text, "13812345678")
	require.Equal(t, handoff.AuthorStaff, got.Messages[3].Author)

	closed, err := desk.Close(ctx, tk.ID, "李")
	require.NoError(t, err)
	require.Equal(t, handoff.StatusClosed, closed.Status)
	_, err = desk.Reply(ctx, tk.ID, "李", "再说一句")
	require.ErrorIs(t, err, handoff.ErrClosed)
	list, err := desk.List(ctx, handoff.StatusClosed)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = desk.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = desk.List(ctx, "bogus")
	require.Error(t, err)

	// After closing, the chat can open a new ticket.
	next, existing, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "77"}, Reason: "asked"})
	require.NoError(t, err)
	require.False(t, existing)
	require.NotEqual(t, tk.ID, next.ID)

	// A channel without a deliverer keeps the reply and says so.
	tg, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "telegram", ID: "5"}, Reason: "asked"})
	require.NoError(t, err)
	m, err = desk.Reply(ctx, tg.ID, "李", "您好")
	require.ErrorIs(t, err, handoff.ErrUnknownChannel)
	require.Nil(t, m.DeliveredAt)
	_, err = desk.Get(ctx, 999999)
	require.ErrorIs(t, err, handoff.ErrNotFound)
}
