package handoff_test

import (
	"context"
	"strconv"
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

// topics lists the tickets with the status and returns their topics by id.
func topics(t *testing.T, desk *handoff.Desk, status string) map[int64]string {
	t.Helper()
	list, err := desk.List(context.Background(), status)
	require.NoError(t, err)
	out := map[int64]string{}
	for _, tk := range list {
		out[tk.ID] = tk.Topic
	}
	return out
}

// The topic the queue shows is kept as lines arrive and stays what Get
// works out from the whole conversation: the first real question, however
// many wizard answers, commands and bot lines come before or after it.
func TestTicketTopicKeptAsLinesArrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	desk := handoff.New(pool, nil)
	addr := chat.Address{Channel: "web", ID: "21"}
	check := func(id int64, want string) {
		t.Helper()
		got, err := desk.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, got.Topic)
		require.Equal(t, want, topics(t, desk, "")[id], "the queue agrees with the conversation")
	}
	appendLine := func(author, text string) {
		t.Helper()
		_, err := desk.Append(ctx, addr, author, text)
		require.NoError(t, err)
	}

	tk, _, err := desk.Open(ctx, handoff.Request{Chat: addr, Reason: "unanswered",
		Transcript: []handoff.Turn{{Author: handoff.AuthorResident, Text: "/check"}}})
	require.NoError(t, err)
	check(tk.ID, "机器人没能回答，转人工")
	for i := range 30 {
		appendLine(handoff.AuthorBot, "第 "+strconv.Itoa(i)+" 个问题：家里几口人？")
		appendLine(handoff.AuthorResident, "答"+strconv.Itoa(i))
	}
	check(tk.ID, "机器人没能回答，转人工")
	appendLine(handoff.AuthorResident, "我家老人瘫痪在床  没人照顾能申请什么")
	check(tk.ID, "我家老人瘫痪在床 没人照顾能申请什么")
	appendLine(handoff.AuthorResident, "另外残疾人补贴怎么申请？")
	appendLine(handoff.AuthorResident, "人工")
	check(tk.ID, "我家老人瘫痪在床 没人照顾能申请什么")

	// Asking again joins the ticket: its lines can give the topic only
	// while the ticket has none.
	other := chat.Address{Channel: "web", ID: "22"}
	wizard := []handoff.Turn{{Author: handoff.AuthorResident, Text: "/check"}}
	for i := range 30 {
		wizard = append(wizard, handoff.Turn{Author: handoff.AuthorBot, Text: "第 " + strconv.Itoa(i) + " 个问题？"},
			handoff.Turn{Author: handoff.AuthorResident, Text: "答" + strconv.Itoa(i)})
	}
	first, _, err := desk.Open(ctx, handoff.Request{Chat: other, Reason: "asked", Transcript: append(wizard,
		handoff.Turn{Author: handoff.AuthorBot, Text: "这是机器人说的一句很长的话吗？"})})
	require.NoError(t, err)
	check(first.ID, "居民要求人工服务（没有留下问题）")
	again, existing, err := desk.Open(ctx, handoff.Request{Chat: other, Reason: "unanswered", Transcript: []handoff.Turn{
		{Author: handoff.AuthorResident, Text: "人工"}, {Author: handoff.AuthorResident, Text: "低保怎么申请？"},
		{Author: handoff.AuthorResident, Text: "临时救助要带什么材料？"}}})
	require.NoError(t, err)
	require.True(t, existing)
	require.Equal(t, first.ID, again.ID)
	check(first.ID, "低保怎么申请？")
	_, _, err = desk.Open(ctx, handoff.Request{Chat: other, Reason: "asked", Transcript: []handoff.Turn{
		{Author: handoff.AuthorResident, Text: "临时救助要带什么材料？"}}})
	require.NoError(t, err)
	check(first.ID, "低保怎么申请？")

	// The stored column holds the question itself, so closed tickets list
	// with it too.
	var stored string
	require.NoError(t, pool.QueryRow(ctx, `SELECT topic FROM handoff_tickets WHERE id = $1`, tk.ID).Scan(&stored))
	require.Equal(t, "我家老人瘫痪在床 没人照顾能申请什么", stored)
	_, err = desk.Close(ctx, tk.ID, "李")
	require.NoError(t, err)
	require.Equal(t, stored, topics(t, desk, handoff.StatusClosed)[tk.ID])
}

// Tickets opened before the topic column have it NULL: the first list
// works their topic out from the lines, stores it, and lines appended
// meanwhile still count.
func TestTicketTopicOfTicketsBeforeTheColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	desk := handoff.New(pool, nil)
	r := func(s string) handoff.Turn { return handoff.Turn{Author: handoff.AuthorResident, Text: s} }
	asked, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "31"}, Reason: "asked",
		Transcript: []handoff.Turn{r("/check"), r("农村"), r("3"), r("孩子上学有没有补助？"), r("人工")}})
	require.NoError(t, err)
	waiting, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "32"}, Reason: "asked",
		Transcript: []handoff.Turn{r("/check"), r("城镇"), r("人工")}})
	require.NoError(t, err)
	silent, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "33"}, Reason: "unanswered",
		Transcript: []handoff.Turn{r("/start")}})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE handoff_tickets SET topic = NULL`)
	require.NoError(t, err)

	// Lines that come before the first list must not be lost: the column
	// stays NULL until the list reads them all.
	_, err = desk.Append(ctx, chat.Address{Channel: "web", ID: "31"}, handoff.AuthorResident, "还有医疗救助怎么报销？")
	require.NoError(t, err)
	_, err = desk.Append(ctx, chat.Address{Channel: "web", ID: "32"}, handoff.AuthorResident, "残疾人两项补贴怎么领？")
	require.NoError(t, err)

	want := map[int64]string{
		asked.ID:   "孩子上学有没有补助？",
		waiting.ID: "残疾人两项补贴怎么领？",
		silent.ID:  "机器人没能回答，转人工",
	}
	got := topics(t, desk, "")
	for id, topic := range want {
		require.Equal(t, topic, got[id])
		tk, err := desk.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, topic, tk.Topic, "the conversation says the same")
	}
	var unset int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM handoff_tickets WHERE topic IS NULL`).Scan(&unset))
	require.Zero(t, unset, "stored at the first list")
	var stored string
	require.NoError(t, pool.QueryRow(ctx, `SELECT topic FROM handoff_tickets WHERE id = $1`, silent.ID).Scan(&stored))
	require.Empty(t, stored, "no question yet")

	// From then on the ticket is kept like any other.
	_, err = desk.Append(ctx, chat.Address{Channel: "web", ID: "33"}, handoff.AuthorResident, "五保户每个月能领多少？")
	require.NoError(t, err)
	require.Equal(t, "五保户每个月能领多少？", topics(t, desk, "")[silent.ID])
}

// The queue reads the stored topic, not the conversation: a topic changed
// in the table shows in the list, while Get, which reads every line
// anyway, still works it out from them.
func TestTicketListReadsStoredTopic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	desk := handoff.New(pool, nil)
	tk, _, err := desk.Open(ctx, handoff.Request{Chat: chat.Address{Channel: "web", ID: "41"}, Reason: "unanswered",
		Transcript: []handoff.Turn{{Author: handoff.AuthorResident, Text: "低保标准是多少？"}}})
	require.NoError(t, err)
	require.Equal(t, "低保标准是多少？", topics(t, desk, "")[tk.ID])

	_, err = pool.Exec(ctx, `UPDATE handoff_tickets SET topic = '只在表里的话题' WHERE id = $1`, tk.ID)
	require.NoError(t, err)
	require.Equal(t, "只在表里的话题", topics(t, desk, "")[tk.ID])
	_, err = pool.Exec(ctx, `UPDATE handoff_tickets SET topic = '' WHERE id = $1`, tk.ID)
	require.NoError(t, err)
	require.Equal(t, "机器人没能回答，转人工", topics(t, desk, "")[tk.ID], "no question stored: why it was opened")

	got, err := desk.Get(ctx, tk.ID)
	require.NoError(t, err)
	require.Equal(t, "低保标准是多少？", got.Topic)
}
