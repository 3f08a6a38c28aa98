package console_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge/bgetest"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/questions"
)

// stack is the console wired to every real part over one database:
// knowledge with the built-in embedder, the handoff desk and the outreach
// dispatcher both talking to a Bot API server on loopback.
type stack struct {
	*testBundle
	tg        *telegramtest.Server
	desk      *handoff.Desk
	questions *questions.Log
	outreach  *outreach.Service
	know      *knowledge.Service
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// corpusDir is the shared policy corpus (../shared/corpus beside the module).
func corpusDir(t testing.TB) string { t.Helper(); return fixtures.Corpus(t) }

// nid makes a valid national ID number for household i.
func nid(i int) string {
	first := fmt.Sprintf("5201011980%02d%02d%03d", 1+i%12, 1+i%28, i%1000)
	return first + string(pii.NationalIDCheckChar(first))
}

func fullStack(t *testing.T, ingest ...string) *stack {
	t.Helper()
	ctx := context.Background()
	tg := telegramtest.New(telegramtest.WithoutLimits())
	t.Cleanup(tg.Close)
	snd, err := telegram.NewSender(tg.Token(), tg.URL())
	require.NoError(t, err)

	st := &stack{tg: tg}
	st.testBundle = setup(t, func(d *console.Deps) {
		st.know = knowledge.New(d.Pool, bgetest.New(t), knowledge.Options{})
		require.NoError(t, st.know.EnsureIndex(ctx))
		st.desk = handoff.New(d.Pool, chat.Router{telegram.Channel: snd})
		st.questions = questions.New(d.Pool)
		o, err := outreach.New(d.Pool, outreach.Config{DataKey: testKey, Sender: snd, Rate: 25,
			PollInterval: 50 * time.Millisecond, JobTimeout: 5 * time.Second})
		require.NoError(t, err)
		st.outreach = o
		d.Knowledge, d.Handoffs, d.Questions, d.Outreach = st.know, st.desk, st.questions, o
		// The bureau's region profiles, seeded from the bundled ones.
		d.Regions = eligibility.NewStore(d.Pool)
		require.NoError(t, d.Regions.Seed(ctx))
	})
	for _, name := range ingest {
		rep, err := st.know.Ingest(ctx, filepath.Join(corpusDir(t), name))
		require.NoError(t, err)
		require.Empty(t, rep.Failed)
	}
	return st
}

// run starts the outreach dispatcher until the test ends.
func (st *stack) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.outreach.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

const csvHeader = "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n"

// enrol imports n households GZ-0001…; reviews fall due within days of
// now, and every other one has a chat bound (chat 5000+i).
func (st *stack) enrol(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(csvHeader)
	review := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	for i := 1; i <= n; i++ {
		area := "rural"
		if i%3 == 0 {
			area = "urban"
		}
		fmt.Fprintf(&b, "GZ-%04d,王%s,%s,1390000%04d,guizhou-2020,%s,dibao,2025-06-01,%s,,2025-12-01\n",
			i, []string{"建国", "秀英", "桂兰", "德明"}[i%4], nid(i), i, area, review)
	}
	_, err := st.outreach.Import(ctx, strings.NewReader(b.String()), false)
	require.NoError(t, err)
	var ids []string
	for i := 1; i <= n; i += 2 {
		ids = append(ids, fmt.Sprintf("GZ-%04d", i))
	}
	codes, err := st.outreach.IssueCodes(ctx, ids, "safetynet_test_bot", 0)
	require.NoError(t, err)
	for _, c := range codes {
		var i int
		_, err := fmt.Sscanf(c.HouseholdID, "GZ-%d", &i)
		require.NoError(t, err)
		_, err = st.outreach.Bind(ctx, c.Code, chat.Address{Channel: telegram.Channel, ID: strconv.Itoa(5000 + i)})
		require.NoError(t, err)
	}
}

// ticket opens a handoff ticket as the bot does, with a phone number in
// the resident's words that must not reach staff.
func (st *stack) ticket(t *testing.T, chatID int64) handoff.Ticket {
	t.Helper()
	tk, _, err := st.desk.Open(context.Background(), handoff.Request{
		Chat: chat.Address{Channel: telegram.Channel, ID: strconv.FormatInt(chatID, 10)}, Reason: "asked",
		Transcript: []handoff.Turn{
			{Author: handoff.AuthorResident, Text: "我母亲今年七十多了，一个人住，能申请特困供养吗？"},
			{Author: handoff.AuthorBot, Text: "特困供养主要面向无劳动能力、无生活来源、无法定赡养人的老人。"},
			{Author: handoff.AuthorResident, Text: "我想找人问问，电话 13812345678"},
		},
	})
	require.NoError(t, err)
	return tk
}

// askedQuestions logs residents' questions over the past days, some
// unanswered and some with 👎.
func (st *stack) askedQuestions(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	qs := []struct {
		q        string
		answered bool
		vote     int
	}{
		{"低保标准是多少", true, 1}, {"打零工的车费能扣吗", true, 0}, {"养老保险怎么交", false, 0},
		{"渐退期有多长", true, -1}, {"医保报销比例", false, 0}, {"临时救助找谁", true, 1},
	}
	for i, q := range qs {
		id, err := st.questions.Record(ctx, questions.Entry{Chat: chat.Address{Channel: telegram.Channel, ID: strconv.Itoa(900 + i)}, Question: q.q, Answered: q.answered, Lang: "zh-Hans"})
		require.NoError(t, err)
		if q.vote != 0 {
			require.NoError(t, st.questions.Feedback(ctx, id, chat.Address{Channel: telegram.Channel, ID: strconv.Itoa(900 + i)}, q.vote))
		}
		// Spread them over the last days for the charts.
		_, err = st.pool.Exec(ctx, `UPDATE questions SET asked_at = now() - make_interval(days => $2) WHERE id = $1`, id, i%5)
		require.NoError(t, err)
	}
}
