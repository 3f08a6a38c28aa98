package handoff_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
)

// A ticket's topic is the resident's first real question, trimmed; not a
// command, a wizard's one-word answer or "人工". The transcript starts at
// the resident's first message.
func TestTicketTopicFromConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	desk := handoff.New(testdb.New(t), nil)
	open := func(id, reason string, turns ...handoff.Turn) handoff.Ticket {
		tk, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: id}, Reason: reason, Transcript: turns})
		require.NoError(t, err)
		return tk
	}
	r := func(s string) handoff.Turn { return handoff.Turn{Author: handoff.AuthorResident, Text: s} }
	b := func(s string) handoff.Turn { return handoff.Turn{Author: handoff.AuthorBot, Text: s} }

	a := open("1", "asked", b("您好，我是民政助手。"), r("/check"), r("农村"), b("家里几口人？"), r("3"),
		r("我家老人瘫痪在床没人照顾，能申请什么补助？还有别的办法吗，谢谢你们了"), r("人工"))
	require.Equal(t, "我家老人瘫痪在床没人照顾，能申请什么补助？还有别的办法吗，谢…", a.Topic)
	require.Equal(t, handoff.AuthorResident, a.Messages[0].Author, "the bot's greeting before the resident spoke is left out")
	require.Equal(t, "/check", a.Messages[0].Text)

	short := open("2", "asked", r("低保吗？"), r("人工"))
	require.Equal(t, "低保吗？", short.Topic)
	none := open("3", "asked", r("[绑定码]"), r("人工"))
	require.Equal(t, "居民要求人工服务（没有留下问题）", none.Topic)
	auto := open("4", "unanswered", r("/start"))
	require.Equal(t, "机器人没能回答，转人工", auto.Topic)

	list, err := desk.List(ctx, "")
	require.NoError(t, err)
	topics := map[int64]string{}
	for _, tk := range list {
		topics[tk.ID] = tk.Topic
	}
	require.Equal(t, a.Topic, topics[a.ID], "the queue shows the same topic")
	require.Equal(t, short.Topic, topics[short.ID])
	require.Equal(t, none.Topic, topics[none.ID])
}
