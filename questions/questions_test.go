package questions_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/questions"
)

func TestLogFeedbackAndQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	log := questions.New(pool)

	a, err := log.Record(ctx, questions.Entry{Chat: chat.Address{Channel: "web", ID: "1"}, Lang: "zh-Hans", Question: "电话13812345678 低保标准？", Answered: true, Answer: "4500元",
		Sources: []questions.Source{{Doc: "004.txt", Title: "贵州", Section: "三、"}}})
	require.NoError(t, err)
	b, err := log.Record(ctx, questions.Entry{Chat: chat.Address{Channel: "telegram", ID: "2"}, Lang: "zh-Hans", Question: "火星天气", Answered: false})
	require.NoError(t, err)

	require.ErrorIs(t, log.Feedback(ctx, a, chat.Address{Channel: "web", ID: "2"}, -1), questions.ErrNotFound, "another chat")
	require.ErrorIs(t, log.Feedback(ctx, a, chat.Address{Channel: "telegram", ID: "1"}, -1), questions.ErrNotFound, "another channel")
	require.Error(t, log.Feedback(ctx, a, chat.Address{Channel: "web", ID: "1"}, 5))
	require.NoError(t, log.Feedback(ctx, a, chat.Address{Channel: "web", ID: "1"}, -1))

	recent, err := log.Recent(ctx, 10)
	require.NoError(t, err)
	require.Len(t, recent, 2)
	require.Equal(t, b, recent[0].ID)
	require.Equal(t, "电话[电话已隐去] 低保标准？", recent[1].Question)

	un, err := log.Unanswered(ctx, 10)
	require.NoError(t, err)
	require.Len(t, un, 1)
	require.Equal(t, "火星天气", un[0].Question)

	dis, err := log.Disliked(ctx, 10)
	require.NoError(t, err)
	require.Len(t, dis, 1)
	require.Equal(t, -1, dis[0].Feedback)
	require.Equal(t, "004.txt", dis[0].Sources[0].Doc)

	one, err := log.Get(ctx, a)
	require.NoError(t, err)
	require.Equal(t, "4500元", one.Answer)
	_, err = log.Get(ctx, 424242)
	require.ErrorIs(t, err, questions.ErrNotFound)

	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	days, err := log.Daily(ctx, 3, loc)
	require.NoError(t, err)
	require.Len(t, days, 3)
	require.Equal(t, time.Now().In(loc).Format("2006-01-02"), days[2].Date)
	require.Equal(t, questions.Day{Date: days[2].Date, Asked: 2, Answered: 1, Unanswered: 1, Disliked: 1}, days[2])
}

// The same wording asked unanswered twice counts once with 2; an answered
// question with no 👎 is no problem.
func TestProblemsMergeTheSameWording(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := questions.New(testdb.New(t))
	rec := func(id, q string, answered bool) int64 {
		n, err := log.Record(ctx, questions.Entry{Chat: chat.Address{Channel: "web", ID: id}, Question: q, Answered: answered})
		require.NoError(t, err)
		return n
	}
	rec("1", "养老保险怎么交", false)
	rec("2", "养老保险怎么交", false)
	liked := rec("3", "低保标准是多少", true)
	require.NoError(t, log.Feedback(ctx, liked, chat.Address{Channel: "web", ID: "3"}, 1))
	disliked := rec("4", "渐退期有多长", true)
	require.NoError(t, log.Feedback(ctx, disliked, chat.Address{Channel: "web", ID: "4"}, -1))

	ps, err := log.Problems(ctx, 10)
	require.NoError(t, err)
	require.Len(t, ps, 2)
	require.Equal(t, "养老保险怎么交", ps[0].Question)
	require.Equal(t, 2, ps[0].Count)
	require.False(t, ps[0].Answered)
	require.False(t, ps[0].Disliked)
	require.Equal(t, "渐退期有多长", ps[1].Question)
	require.True(t, ps[1].Answered)
	require.True(t, ps[1].Disliked)
}
