package outreach_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/outreach"
)

// A household that binds after the day's reminders were derived gets the
// ones still current at once; a reminder whose date has passed stays with
// staff, and the follow-up list keeps only what is still unreached.
func TestBindingLateQueuesCurrentReminders(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	// L1: review on 03-16, reminded 14 days before (today, 03-02).
	// L2: review on 03-01 — its 3-day reminder went out (unreachable) on
	// 02-26 and is past now.
	// L3: review on 03-16 too, never binds.
	b.importCSV(t, header+
		"L1,张一,"+nid(1)+",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,2025-12-01\n"+
		"L2,张二,"+nid(2)+",,guizhou-2020,rural,dibao,2025-06-01,2026-03-01,,2025-12-01\n"+
		"L3,张三,"+nid(3)+",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,2025-12-01\n")
	for _, day := range []time.Time{time.Date(2026, 2, 26, 4, 0, 0, 0, time.UTC), b.now} {
		_, err := b.svc.Remind(ctx, day, false)
		require.NoError(t, err)
	}
	require.Equal(t, 3, b.countStatus(t, "unreachable"))
	fu, err := b.svc.FollowUps(ctx)
	require.NoError(t, err)
	require.Len(t, fu, 3)

	codes, err := b.svc.IssueCodes(ctx, []string{"L1", "L2"}, "", 0)
	require.NoError(t, err)
	bound := map[string]outreach.Binding{}
	for i, c := range codes {
		bd, err := b.svc.Bind(ctx, c.Code, tgChat(int64(7001+i)))
		require.NoError(t, err)
		bound[c.HouseholdID] = bd
	}
	require.Equal(t, 1, bound["L1"].RemindersQueued)
	require.Zero(t, bound["L2"].RemindersQueued, "a review already past is not sent")

	// Deriving today again adds nothing: the reminder is the same one.
	again, err := b.svc.Remind(ctx, b.now, false)
	require.NoError(t, err)
	require.Zero(t, again.New())

	b.run(t)
	waitFor(t, "L1's reminder sent", func() bool { return len(b.tg.SentTo(7001)) == 1 })
	require.Contains(t, b.tg.SentTo(7001)[0].Text, "2026年3月16日")
	require.Empty(t, b.tg.SentTo(7002))

	fu, err = b.svc.FollowUps(ctx)
	require.NoError(t, err)
	left := map[string]string{}
	for _, f := range fu {
		left[f.HouseholdID] = f.Detail
	}
	require.Len(t, left, 2, "%v", fu)
	require.NotContains(t, left, "L1", "reached: off the list")
	require.Contains(t, left, "L3", "still unbound")
	require.Contains(t, left["L2"], "绑定前未送达", "its review reminder never reached it")
}
