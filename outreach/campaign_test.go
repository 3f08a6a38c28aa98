package outreach_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/outreach"
)

func TestCampaignPreviewTestSendStartReport(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(6)+
		"U1,城里人,"+nid(77)+",,guizhou-2020,urban,tekun,2025-06-01,2026-05-01,,2025-12-01\n")
	b.bindAll(t, 6)

	_, err := b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "x", Template: "nosuch"})
	var fe *outreach.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "template", fe.Field)
	_, err = b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "x", Text: "{{.Nope}}"})
	require.ErrorAs(t, err, &fe)
	_, err = b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "x", Text: "hi", Window: "22:00-06:00"})
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "window", fe.Field)

	in := outreach.CampaignInput{Name: "农村低保年审", Template: "review_notice",
		Segment: outreach.Segment{Area: "rural", Programs: []string{"dibao"}, DueField: "review", DueFrom: "2026-03-01", DueTo: "2026-03-31"}}
	pv, err := b.svc.PreviewCampaign(ctx, in)
	require.NoError(t, err)
	require.Equal(t, 6, pv.Count)
	require.Len(t, pv.Samples, 3)
	require.Contains(t, pv.Samples[0], "张**您好")
	require.NotContains(t, pv.Samples[0], "张三1")

	c, err := b.svc.CreateCampaign(ctx, in)
	require.NoError(t, err)
	require.Equal(t, "draft", c.Status)
	// The stored campaign previews as its input did, by id or as loaded.
	stored, err := b.svc.CampaignPreview(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, pv, stored)
	loaded, err := b.svc.PreviewOf(ctx, c)
	require.NoError(t, err)
	require.Equal(t, pv, loaded)
	_, err = b.svc.StartCampaign(ctx, c.ID, false)
	require.ErrorIs(t, err, outreach.ErrNotTested)

	n, err := b.svc.TestSend(ctx, c.ID, []chat.Address{tgChat(42)})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	staff := b.tg.SentTo(42)
	require.Len(t, staff, 3)
	require.Contains(t, staff[0].Text, "测试发送")
	require.NotContains(t, staff[0].Text, "张三")

	c, err = b.svc.StartCampaign(ctx, c.ID, false)
	require.NoError(t, err)
	require.Equal(t, "running", c.Status)
	b.run(t)
	waitFor(t, "campaign sent", func() bool {
		r, err := b.svc.Report(ctx, &c.ID)
		require.NoError(t, err)
		return r.Counts.Sent == 6
	})
	require.Len(t, b.tg.SentTo(1001), 1)
	require.Contains(t, b.tg.SentTo(1001)[0].Text, "张三1您好")
	require.Empty(t, b.tg.SentTo(0)) // the urban household is outside the segment

	list, err := b.svc.Campaigns(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	// The reminders' report is separate from the campaign's.
	r, err := b.svc.Report(ctx, nil)
	require.NoError(t, err)
	require.Zero(t, r.Counts.Sent)
}

func TestCampaignPauseResumeCancel(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(5))
	b.bindAll(t, 5)
	c, err := b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "p", Text: "请带户口簿到乡镇办理年审。"})
	require.NoError(t, err)
	_, err = b.svc.StartCampaign(ctx, c.ID, true)
	require.NoError(t, err)
	// Paused before dispatch runs: nothing goes out, all held.
	_, err = b.svc.PauseCampaign(ctx, c.ID, "核对名单")
	require.NoError(t, err)
	b.run(t)
	waitFor(t, "held", func() bool { return b.countStatus(t, "held") == 5 })
	require.Empty(t, b.tg.Sent())
	c, err = b.svc.Campaign(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, "核对名单", c.StatusReason)
	require.Equal(t, 5, c.Counts.Queued)

	_, err = b.svc.ResumeCampaign(ctx, c.ID)
	require.NoError(t, err)
	waitFor(t, "sent", func() bool { return b.countStatus(t, "sent") == 5 })
	require.Contains(t, b.tg.SentTo(1003)[0].Text, "请带户口簿")

	_, err = b.svc.ResumeCampaign(ctx, c.ID)
	require.ErrorIs(t, err, outreach.ErrCampaignState)
	c2, err := b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "c", Text: "第二条", StartAt: testNow.Add(24 * time.Hour)})
	require.NoError(t, err)
	_, err = b.svc.StartCampaign(ctx, c2.ID, true)
	require.NoError(t, err)
	c2, err = b.svc.CancelCampaign(ctx, c2.ID, "")
	require.NoError(t, err)
	require.Equal(t, "cancelled", c2.Status)
	require.Equal(t, 5, b.countStatus(t, "cancelled"))
}

func TestCampaignPausesItselfAfterBurstOfFailures(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, func(c *outreach.Config) { c.Rate = 5; c.Workers = 2 })
	ctx := context.Background()
	b.importCSV(t, csvRows(30))
	b.bindAll(t, 30)
	for i := 1001; i <= 1030; i++ {
		b.tg.BlockChat(int64(i))
	}
	c, err := b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "f", Text: "测试", PauseAfter: 5})
	require.NoError(t, err)
	_, err = b.svc.StartCampaign(ctx, c.ID, true)
	require.NoError(t, err)
	b.run(t)
	waitFor(t, "auto-pause", func() bool {
		c, err = b.svc.Campaign(ctx, c.ID)
		require.NoError(t, err)
		return c.Status == "paused"
	})
	require.Contains(t, c.StatusReason, "自动暂停")
	waitFor(t, "in-flight settle", func() bool { return b.countStatus(t, "sending") == 0 })
	require.Less(t, b.countStatus(t, "unreachable"), 30, "it stopped instead of burning through the list")
	require.Positive(t, b.countStatus(t, "held")+b.countStatus(t, "queued"))
}

func TestSwitchOffHoldsAndOptOutStopsAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(4))
	b.bindAll(t, 4)
	_, err := switches.New(b.pool).Set(ctx, switches.OutreachSending, false, "模板有误", "test")
	require.NoError(t, err)
	_, err = b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	b.run(t)
	waitFor(t, "held", func() bool { return b.countStatus(t, "held") == 4 })
	require.Empty(t, b.tg.Sent())

	// While held, one household opts out: it gets nothing after the switch
	// comes back on.
	require.NoError(t, b.svc.OptOut(ctx, tgChat(1002)))
	_, err = switches.New(b.pool).Set(ctx, switches.OutreachSending, true, "已修复", "test")
	require.NoError(t, err)
	n, err := b.svc.Requeue(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	waitFor(t, "sent", func() bool { return b.countStatus(t, "sent") == 3 })
	require.Empty(t, b.tg.SentTo(1002))
	require.Equal(t, 1, b.countStatus(t, "opted_out"))

	require.NoError(t, b.svc.OptIn(ctx, tgChat(1002)))
	h, err := b.svc.Household(ctx, "H0002")
	require.NoError(t, err)
	require.Nil(t, h.OptedOutAt)
}

func TestOrphanedLedgerRowsGetANewJob(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(3))
	b.bindAll(t, 3)
	_, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	// Jobs lost (say, discarded after a panic); rows left open long ago.
	_, err = b.pool.Exec(ctx, `DELETE FROM river_job WHERE kind = 'outreach_send' AND args @> '{"delivery_id": 1}'`)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `UPDATE outreach_deliveries SET updated_at = now() - interval '1 hour'`)
	require.NoError(t, err)
	n, err := b.svc.RequeueOrphans(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the row without a live job")
	b.run(t)
	waitFor(t, "all sent", func() bool { return b.countStatus(t, "sent") == 3 })
	require.Len(t, b.tg.Sent(), 3)
}

func TestFollowUpsPledgeOverdueAndUnacknowledged(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(2))
	b.bindAll(t, 2)
	// H0001: four pledge reminders, the last over a week ago, never signed.
	// H0002: a review reminder sent five days ago, never acknowledged.
	_, err := b.pool.Exec(ctx, `
		INSERT INTO outreach_deliveries (household_id, kind, period, status, sent_at, created_at)
		SELECT 'H0001', 'pledge', 'p' || g, 'sent', now() - make_interval(days => 8 + 7 * g), now() - make_interval(days => 8 + 7 * g)
		FROM generate_series(0, 3) g`)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `INSERT INTO outreach_deliveries (household_id, kind, period, status, sent_at)
		VALUES ('H0002', 'review', 'r', 'sent', now() - interval '5 days')`)
	require.NoError(t, err)
	fu, err := b.svc.FollowUps(ctx)
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range fu {
		got[f.HouseholdID+"/"+f.Reason] = f.Detail
	}
	require.Contains(t, got, "H0001/pledge_overdue")
	require.Contains(t, got["H0001/pledge_overdue"], "4 次")
	require.Contains(t, got, "H0002/unacknowledged")

	var csv strings.Builder
	require.NoError(t, outreach.WriteFollowUpsCSV(&csv, fu, b.svc.TZ()))
	require.True(t, strings.HasPrefix(csv.String(), "household_id,name,phone,region,reason,detail,since\n"))
}

func TestCampaignRateIsKept(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.importCSV(t, csvRows(12))
	b.bindAll(t, 12)
	c, err := b.svc.CreateCampaign(ctx, outreach.CampaignInput{Name: "slow", Text: "慢慢发", Rate: 4})
	require.NoError(t, err)
	_, err = b.svc.StartCampaign(ctx, c.ID, true)
	require.NoError(t, err)
	b.run(t)
	waitFor(t, "all sent", func() bool { return b.countStatus(t, "sent") == 12 })
	sent := b.tg.Sent()
	require.Len(t, sent, 12)
	first, last := sent[0].At, sent[0].At
	for _, m := range sent {
		if m.At.Before(first) {
			first = m.At
		}
		if m.At.After(last) {
			last = m.At
		}
	}
	// 12 messages at 4/s span at least 11 intervals of 250 ms.
	require.GreaterOrEqual(t, last.Sub(first), 11*250*time.Millisecond*9/10)
}

// The campaigns' counts in one query equal each campaign's own report.
func TestCampaignCountsMatchReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, nil)
	b.importCSV(t, csvRows(5))
	b.bindAll(t, 2)
	svc := b.svc
	var ids []int64
	for _, name := range []string{"一", "二"} {
		c, err := svc.CreateCampaign(ctx, outreach.CampaignInput{Name: name, Template: "review_notice", Window: "00:00-23:59"})
		require.NoError(t, err)
		_, err = svc.StartCampaign(ctx, c.ID, true)
		require.NoError(t, err)
		ids = append(ids, c.ID)
	}
	all, err := svc.CampaignCounts(ctx)
	require.NoError(t, err)
	for _, id := range ids {
		rep, err := svc.Report(ctx, &id)
		require.NoError(t, err)
		require.Equal(t, rep.Counts, all[id])
		require.Positive(t, all[id].Queued+all[id].Unreachable)
	}
}
