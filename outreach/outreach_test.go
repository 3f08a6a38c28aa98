package outreach_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/outreach"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// nid makes a valid ID number from a sequence number.
func nid(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := "520102" + birth.Format("20060102") + fmt.Sprintf("%03d", n%1000)
	return first + string(pii.NationalIDCheckChar(first))
}

type bundle struct {
	pool *pgxpool.Pool
	tg   *telegramtest.Server
	svc  *outreach.Service
	now  time.Time
}

type opt func(*outreach.Config)

// noon in Shanghai on 2026-03-02, inside the sending window.
var testNow = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

func setup(t *testing.T, tgOpts []telegramtest.Option, opts ...opt) *bundle {
	t.Helper()
	pool := testdb.New(t)
	tg := telegramtest.New(tgOpts...)
	t.Cleanup(tg.Close)
	snd, err := telegram.NewSender(tg.Token(), tg.URL())
	require.NoError(t, err)
	cfg := outreach.Config{DataKey: testKey, Sender: snd, Rate: 25, Workers: 16,
		Limits:      map[string]chat.Limits{telegram.Channel: telegram.Limits},
		RescueAfter: 5 * time.Second, JobTimeout: 5 * time.Second, PollInterval: 50 * time.Millisecond,
		Now: func() time.Time { return testNow }}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := outreach.New(pool, cfg)
	require.NoError(t, err)
	return &bundle{pool: pool, tg: tg, svc: svc, now: testNow}
}

// run starts dispatch until the test ends.
func (b *bundle) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

const header = "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n"

// csvRows makes n valid rows; review due on 2026-03-16 (14 days after
// testNow), pledge signed so none is owed.
func csvRows(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "H%04d,张三%d,%s,1380000%04d,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,2025-12-01\n", i, i, nid(i), i)
	}
	return b.String()
}

func (b *bundle) importCSV(t *testing.T, csv string) outreach.ImportResult {
	t.Helper()
	res, err := b.svc.Import(context.Background(), strings.NewReader(csv), false)
	require.NoError(t, err)
	return res
}

// bindAll binds household Hnnnn to chat 1000+n.
func (b *bundle) bindAll(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("H%04d", i+1)
	}
	codes, err := b.svc.IssueCodes(ctx, ids, "safetynet_test_bot", 0)
	require.NoError(t, err)
	require.Len(t, codes, n)
	for _, c := range codes {
		var i int
		_, err := fmt.Sscanf(c.HouseholdID, "H%d", &i)
		require.NoError(t, err)
		_, err = b.svc.Bind(ctx, c.Code, tgChat(int64(1000+i)))
		require.NoError(t, err)
	}
}

func (b *bundle) countStatus(t *testing.T, status string) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM outreach_deliveries WHERE status = $1`, status).Scan(&n))
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestImportAllOrNothingReportsEveryBadRow(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	good := nid(1)
	badCheck := good[:17] + map[bool]string{true: "0", false: "1"}[good[17] != '0']
	csv := header +
		"H1,张三," + good + ",13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n" +
		"H2,李四," + badCheck + ",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n" +
		"H3,王五," + nid(3) + ",,guizhou-2020,rural,welfare,2025-06-01,2026-03-16,,\n" +
		"H4,赵六," + nid(4) + ",,guizhou-2020,rural,dibao,2025-02-30,2026-03-16,,\n" +
		"H1,钱七," + nid(5) + ",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n" +
		"H6,孙八," + nid(6) + ",,atlantis,suburb,dibao,2025-06-01,2026-03-16,,\n"
	_, err := b.svc.Import(ctx, strings.NewReader(csv), false)
	var ie *outreach.ImportError
	require.ErrorAs(t, err, &ie)
	got := map[string]bool{}
	for _, r := range ie.Rows {
		got[fmt.Sprintf("%d:%s", r.Line, r.Field)] = true
	}
	for _, want := range []string{"3:national_id", "4:program", "5:enrolled_on", "6:household_id", "7:region", "7:area"} {
		require.True(t, got[want], "missing problem %s in %v", want, ie.Rows)
	}
	var n int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM outreach_households`).Scan(&n))
	require.Zero(t, n, "a bad file imports nothing")
}

func TestImportEncryptsAndUpdatesInPlace(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	res := b.importCSV(t, csvRows(3))
	require.Equal(t, 3, res.Inserted)

	// Dry run changes nothing.
	dry, err := b.svc.Import(ctx, strings.NewReader(strings.Replace(csvRows(3), "2026-03-16", "2026-04-01", 1)), true)
	require.NoError(t, err)
	require.Equal(t, 1, dry.Updated, "only H0001's review date differs")
	require.Equal(t, 2, dry.Unchanged)
	h, err := b.svc.Household(ctx, "H0001")
	require.NoError(t, err)
	require.Equal(t, "2026-03-16", h.NextReviewOn)

	res = b.importCSV(t, strings.Replace(csvRows(3), "2026-03-16", "2026-04-01", 1))
	require.Equal(t, 0, res.Inserted)
	require.Equal(t, 1, res.Updated)
	h, err = b.svc.Household(ctx, "H0001")
	require.NoError(t, err)
	require.Equal(t, "2026-04-01", h.NextReviewOn)
	require.Equal(t, pii.MaskNationalID(nid(1)), h.NationalIDMasked)
	require.Equal(t, "张**", h.NameMasked)

	// The ID number, the phone and the name never sit in the clear.
	var dump string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT string_agg(t::text, ' ') FROM outreach_households t`).Scan(&dump))
	require.NotContains(t, dump, nid(1))
	require.NotContains(t, dump, nid(1)[:14])
	require.NotContains(t, dump, "13800000001")
	require.NotContains(t, dump, "张三1")

	// Search by ID number goes through the keyed hash.
	found, err := b.svc.SearchHouseholds(ctx, nid(2), 10)
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.Equal(t, "H0002", found[0].HouseholdID)

	// Without a key, nothing personal is stored.
	nokey, err := outreach.New(b.pool, outreach.Config{})
	require.NoError(t, err)
	_, err = nokey.Import(ctx, strings.NewReader(csvRows(1)), false)
	require.ErrorIs(t, err, pii.ErrNoKey)
}

func TestBindingCodes(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(2))
	codes, err := b.svc.IssueCodes(ctx, []string{"H0001"}, "my_bot", time.Hour)
	require.NoError(t, err)
	require.Len(t, codes, 1)
	require.Equal(t, "https://t.me/my_bot?start="+codes[0].Code, codes[0].Link)

	var stored string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT code_hash FROM outreach_bind_codes`).Scan(&stored))
	require.NotContains(t, stored, codes[0].Code)

	_, err = b.svc.Bind(ctx, "NOPE", tgChat(1))
	require.ErrorIs(t, err, outreach.ErrCodeInvalid)
	bd, err := b.svc.Bind(ctx, strings.ToLower(codes[0].Code), tgChat(1))
	require.NoError(t, err)
	require.Equal(t, "H0001", bd.HouseholdID)
	_, err = b.svc.Bind(ctx, codes[0].Code, tgChat(2))
	require.ErrorIs(t, err, outreach.ErrCodeUsed)

	// Asking again gives the same code while it is unused; a rotated code
	// replaces an older one; an expired code is refused.
	old, err := b.svc.IssueCodes(ctx, []string{"H0002"}, "my_bot", 0)
	require.NoError(t, err)
	require.Nil(t, old[0].ExpiresAt, "valid until used or rotated")
	same, err := b.svc.IssueCodes(ctx, []string{"H0002"}, "", time.Hour)
	require.NoError(t, err)
	require.Equal(t, old[0].Code, same[0].Code)
	require.Empty(t, same[0].Link, "no bot name, no link")
	fresh, err := b.svc.RotateCodes(ctx, []string{"H0002"}, "my_bot", time.Nanosecond)
	require.NoError(t, err)
	_, err = b.svc.Bind(ctx, old[0].Code, tgChat(3))
	require.ErrorIs(t, err, outreach.ErrCodeInvalid)
	_, err = b.svc.Bind(ctx, fresh[0].Code, tgChat(3))
	require.ErrorIs(t, err, outreach.ErrCodeExpired)

	_, err = b.svc.IssueCodes(ctx, []string{"H9999"}, "my_bot", time.Hour)
	require.ErrorIs(t, err, outreach.ErrNotFound)
}

func TestRemindIsIdempotentAndDispatchDelivers(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(20))
	b.bindAll(t, 18)
	// Two more households stay unbound: their reminders go to follow-up.
	b.importCSV(t, strings.Replace(csvRows(20), header, header, 1)+
		"X1,周九,"+nid(900)+",,guizhou-2020,urban,tekun,2025-06-01,2026-03-16,,2025-12-01\n")

	// Run twice concurrently and then once more: each reminder once.
	results := make(chan outreach.RemindResult, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			r, err := b.svc.Remind(ctx, b.now, false)
			errs <- err
			results <- r
		}()
	}
	total := 0
	for range 2 {
		require.NoError(t, <-errs)
		total += (<-results).New()
	}
	again, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	require.Zero(t, again.New())
	require.Equal(t, 21, total)

	var jobs int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'outreach_send'`).Scan(&jobs))
	require.Equal(t, 18, jobs, "one job per reachable reminder")

	b.run(t)
	waitFor(t, "18 sent", func() bool { return b.countStatus(t, "sent") == 18 })
	require.Len(t, b.tg.Sent(), 18)
	msgs := b.tg.SentTo(1001)
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Text, "张三1您好")
	require.Contains(t, msgs[0].Text, "2026年3月16日")
	require.Equal(t, "我已知晓", msgs[0].Buttons()[0].Text)
	require.Zero(t, b.tg.Count429())

	r, err := b.svc.Report(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, outreach.Counts{Sent: 18, Unreachable: 3}, r.Counts)

	fu, err := b.svc.FollowUps(ctx)
	require.NoError(t, err)
	require.Len(t, fu, 3)
	require.Equal(t, "unreachable", fu[0].Reason)
}

func TestReminderRules(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	// H1 review in 3 days; H2 phase-out ends in 30 days; H3 enrolled today
	// without a pledge; H4 pledge signed a year ago and 3 weeks; H5 pledge
	// owed 5 weeks ago (past the 4 reminders); H6 nothing due.
	csv := header +
		"H1,甲," + nid(1) + ",,guizhou-2020,rural,dibao,2025-01-01,2026-03-05,,2025-12-01\n" +
		"H2,乙," + nid(2) + ",,guizhou-2020,rural,dibao_phaseout,2025-01-01,2026-09-01,2026-04-01,2025-12-01\n" +
		"H3,丙," + nid(3) + ",,guizhou-2020,rural,dibao,2026-03-02,2026-09-01,,\n" +
		"H4,丁," + nid(4) + ",,guizhou-2020,rural,dibao,2020-01-01,2026-09-01,,2025-02-09\n" +
		"H5,戊," + nid(5) + ",,guizhou-2020,rural,dibao,2026-01-26,2026-09-01,,\n" +
		"H6,己," + nid(6) + ",,guizhou-2020,rural,dibao,2025-01-01,2026-09-01,,2025-12-01\n"
	b.importCSV(t, csv)
	r, err := b.svc.Remind(ctx, b.now, true)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"review": 1, "phaseout": 1, "pledge": 2}, r.ByKind)
	require.Equal(t, 4, r.Unreachable, "nobody is bound")
	var n int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM outreach_deliveries`).Scan(&n))
	require.Zero(t, n, "dry run stores nothing")
}

func TestRateLimitsHoldAtTelegramsLimit(t *testing.T) {
	t.Parallel()
	// Telegram's real limits (30/s, 1/s per chat), our limiter at 30/s.
	b := setup(t, nil, func(c *outreach.Config) { c.Rate = 30 })
	ctx := context.Background()
	b.importCSV(t, csvRows(90))
	b.bindAll(t, 90)
	_, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	b.run(t)
	waitFor(t, "90 sent", func() bool { return b.countStatus(t, "sent") == 90 })
	require.Zero(t, b.tg.Count429(), "the limiter keeps under Telegram's limit")
	require.Len(t, b.tg.Sent(), 90)
}

func TestRetryAfterUnreachableAndCappedRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, func(c *outreach.Config) { c.MaxAttempts = 2 })
	ctx := context.Background()
	b.importCSV(t, csvRows(3))
	b.bindAll(t, 3)
	b.tg.FailNext(1001, 429, "Too Many Requests: retry after 1")
	b.tg.BlockChat(1002)
	b.tg.FailNext(1003, 500, "Internal Server Error")
	b.tg.FailNext(1003, 502, "Bad Gateway")
	_, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	b.run(t)

	waitFor(t, "all settled", func() bool {
		return b.countStatus(t, "sent") == 1 && b.countStatus(t, "unreachable") == 1 && b.countStatus(t, "failed") == 1
	})
	// 429: sent after retry_after, once.
	msgs := b.tg.SentTo(1001)
	require.Len(t, msgs, 1)
	var reason string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT reason FROM outreach_deliveries WHERE status = 'failed'`).Scan(&reason))
	require.Contains(t, reason, "重试 2 次后仍失败")
	require.Contains(t, reason, "502")

	fu, err := b.svc.FollowUps(ctx)
	require.NoError(t, err)
	reasons := map[string]string{}
	for _, f := range fu {
		reasons[f.HouseholdID] = f.Reason
	}
	require.Equal(t, map[string]string{"H0002": "unreachable", "H0003": "failed"}, reasons)
}

func TestButtonsAndOptOut(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	csv := header +
		"H0001,张三," + nid(1) + ",,guizhou-2020,rural,dibao,2026-03-02,2026-09-01,,\n" +
		"H0002,李四," + nid(2) + ",,guizhou-2020,rural,dibao,2026-03-02,2026-09-01,,\n"
	b.importCSV(t, csv)
	b.bindAll(t, 2)
	require.NoError(t, b.svc.OptOut(ctx, tgChat(1002)))
	_, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	b.run(t)
	msgs, err := b.tg.WaitForMessages(ctx, 1001, 1)
	require.NoError(t, err)
	require.Contains(t, msgs[0].Text, "诚信")
	var signData, ackData string
	for _, btn := range msgs[0].Buttons() {
		switch btn.Text {
		case "签署诚信承诺":
			signData = btn.CallbackData
		case "我已知晓":
			ackData = btn.CallbackData
		}
	}
	require.NotEmpty(t, signData)
	waitFor(t, "ledger after", func() bool { return b.countStatus(t, "sent") == 1 })

	// Pressed in another chat: refused, nothing recorded.
	res, err := b.svc.HandleButton(ctx, tgChat(1002), signData)
	require.ErrorIs(t, err, outreach.ErrWrongChat)
	require.NotEmpty(t, res.Reply)
	var pledges int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM outreach_pledges`).Scan(&pledges))
	require.Zero(t, pledges)

	res, err = b.svc.HandleButton(ctx, tgChat(1001), signData)
	require.NoError(t, err)
	require.Contains(t, res.Reply, "签署")
	var who chat.Address
	var version string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT chat_channel, chat_id, version FROM outreach_pledges`).Scan(&who.Channel, &who.ID, &version))
	require.Equal(t, tgChat(1001), who)
	_, want := outreach.PledgeText()
	require.Equal(t, want, version)
	_, err = b.svc.HandleButton(ctx, tgChat(1001), ackData)
	require.NoError(t, err)
	res, err = b.svc.HandleButton(ctx, tgChat(1001), strings.Replace(ackData, "ack", "help", 1))
	require.NoError(t, err)
	require.True(t, res.WantsContact)

	h, err := b.svc.Household(ctx, "H0001")
	require.NoError(t, err)
	require.Equal(t, "2026-03-02", h.PledgeSignedOn)
	tl, err := b.svc.Timeline(ctx, "H0001")
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, e := range tl {
		kinds[e.Kind] = true
	}
	for _, k := range []string{"bound", "pledge", "delivered", "pledge_signed", "acknowledged", "contact_requested"} {
		require.True(t, kinds[k], "timeline lacks %s: %v", k, tl)
	}

	// The opted-out household got nothing, and staff see why.
	require.Empty(t, b.tg.SentTo(1002))
	r, err := b.svc.Report(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, outreach.Counts{Acknowledged: 1, OptedOut: 1}, r.Counts)

	_, err = b.svc.HandleButton(ctx, tgChat(1001), "o:ack:999999")
	require.ErrorIs(t, err, outreach.ErrBadButton)
	require.ErrorIs(t, b.svc.OptOut(ctx, tgChat(5555)), outreach.ErrNotBound)
}

func TestTwoDispatchersShareTheGlobalLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, func(c *outreach.Config) { c.Rate = 30 })
	ctx := context.Background()
	b.importCSV(t, csvRows(120))
	b.bindAll(t, 120)
	_, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	// A second service on the same database stands in for a second server.
	snd, err := telegram.NewSender(b.tg.Token(), b.tg.URL())
	require.NoError(t, err)
	other, err := outreach.New(b.pool, outreach.Config{DataKey: testKey, Sender: snd, Rate: 30, Workers: 16,
		PollInterval: 50 * time.Millisecond, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	octx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- other.Run(octx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	b.run(t)
	waitFor(t, "120 sent", func() bool { return b.countStatus(t, "sent") == 120 })
	require.Len(t, b.tg.Sent(), 120, "no duplicates across dispatchers")
	require.Zero(t, b.tg.Count429(), "the global limit holds over both processes")
}

func TestSchedulerDerivesAndSendsTodaysReminders(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, func(c *outreach.Config) { c.AutoRemind = true })
	b.importCSV(t, csvRows(3))
	b.bindAll(t, 3)
	b.run(t) // the leader derives on start; nobody calls Remind
	waitFor(t, "3 sent", func() bool { return b.countStatus(t, "sent") == 3 })
	require.Len(t, b.tg.Sent(), 3)
}

// tgChat is a Telegram chat's address.
func tgChat(id int64) chat.Address {
	return chat.Address{Channel: telegram.Channel, ID: strconv.FormatInt(id, 10)}
}

// TestReminderGoesToTheChatUsedLast: a household bound on two channels
// gets each reminder once, on the chat it bound or answered on last.
func TestReminderGoesToTheChatUsedLast(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	snd, err := telegram.NewSender(tg.Token(), tg.URL())
	require.NoError(t, err)
	// The web chat's outbox stands in for a second channel: a real sender
	// whose messages can be counted in the database.
	other := webchat.NewOutbox(pool, nil)
	day := testNow
	svc, err := outreach.New(pool, outreach.Config{DataKey: testKey, Rate: 25, PollInterval: 50 * time.Millisecond,
		Sender: chat.Router{telegram.Channel: snd, webchat.Channel: other},
		Now:    func() time.Time { return day }})
	require.NoError(t, err)
	b := &bundle{pool: pool, tg: tg, svc: svc, now: testNow}
	ctx := context.Background()
	b.importCSV(t, csvRows(1))
	b.bindAll(t, 1) // Telegram chat 1001
	codes, err := svc.IssueCodes(ctx, []string{"H0001"}, "safetynet_test_bot", 0)
	require.NoError(t, err)
	second := chat.Address{Channel: webchat.Channel, ID: "9001"}
	bd, err := svc.Bind(ctx, codes[0].Code, second)
	require.NoError(t, err)
	require.True(t, bd.Rebound)
	b.run(t)

	outbox := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM webchat_outbox WHERE chat_id = '9001'`).Scan(&n))
		return n
	}
	_, err = svc.Remind(ctx, day, false)
	require.NoError(t, err)
	waitFor(t, "the review reminder sent", func() bool { return b.countStatus(t, "sent") == 1 })
	require.Equal(t, 1, outbox(), "sent on the chat bound last")
	require.Empty(t, tg.Sent(), "and not on the other one too")

	// The resident answers a reminder on Telegram: that chat is used last now.
	var id int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM outreach_deliveries`).Scan(&id))
	_, err = svc.HandleButton(ctx, tgChat(1001), fmt.Sprintf("o:ack:%d", id))
	require.NoError(t, err)
	// The next review reminder goes to Telegram.
	_, err = pool.Exec(ctx, `UPDATE outreach_households SET next_review_on = '2026-03-17'`)
	require.NoError(t, err)
	_, err = svc.Remind(ctx, day.AddDate(0, 0, 1), false)
	require.NoError(t, err)
	waitFor(t, "the next reminder sent", func() bool { return len(tg.Sent()) == 1 })
	require.Equal(t, 1, outbox(), "nothing more on the other chat")
}

// TestEachChannelIsPacedByItsOwnLimits: slots are handed out per channel
// at the channel's own rate (chat.Limits), so a slow channel does not hold
// up a fast one; OUTREACH_RATE still bounds them all. The rates are so
// slow that the waits differ by tens of seconds: the reservations are
// checked, nothing is timed.
func TestEachChannelIsPacedByItsOwnLimits(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	svc, err := outreach.New(pool, outreach.Config{DataKey: testKey, Rate: 100, Limits: map[string]chat.Limits{
		"telegram": {ChatGap: time.Second, GlobalPerSec: 1.0 / 50},
		"wechat":   {ChatGap: time.Second, GlobalPerSec: 1.0 / 100},
	}})
	require.NoError(t, err)
	ctx := context.Background()
	type slot struct {
		wait time.Duration
		busy bool
	}
	got := map[string][]slot{}
	for i := range 3 {
		for _, ch := range []string{"telegram", "wechat", "sms"} {
			d, busy, err := svc.TakeSlot(ctx, chat.Address{Channel: ch, ID: "c" + strconv.Itoa(i)})
			require.NoError(t, err)
			got[ch] = append(got[ch], slot{d, busy})
		}
	}
	about := func(s slot, busy bool, want time.Duration) {
		t.Helper()
		require.Equal(t, busy, s.busy, "slots %v", got)
		require.InDelta(t, want.Seconds(), s.wait.Seconds(), 20, "slots %v", got)
	}
	for _, ch := range []string{"telegram", "wechat", "sms"} {
		about(got[ch][0], false, 0)
	}
	// The next slot of a slow channel lies far ahead: the send waits for
	// it without taking one, so asking again finds the same wait.
	about(got["telegram"][1], true, 50*time.Second)
	about(got["telegram"][2], true, 50*time.Second)
	about(got["wechat"][1], true, 100*time.Second)
	about(got["wechat"][2], true, 100*time.Second)
	// A channel without limits of its own goes at OUTREACH_RATE, not
	// behind the others.
	about(got["sms"][1], false, 0)
	about(got["sms"][2], false, 0)

	// One chat still waits its gap, whatever its channel's rate.
	d, busy, err := svc.TakeSlot(ctx, chat.Address{Channel: "sms", ID: "c0"})
	require.NoError(t, err)
	require.True(t, busy)
	require.LessOrEqual(t, d, 2*time.Second, "the chat gap (1 s) from its slot")
}
