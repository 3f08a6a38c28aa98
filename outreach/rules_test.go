package outreach_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/outreach"
)

func TestWindowNext(t *testing.T) {
	t.Parallel()
	sh, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	w, err := outreach.ParseWindow("08:00-20:00")
	require.NoError(t, err)
	for _, tc := range []struct{ at, want string }{
		{"2026-03-02 12:00", "2026-03-02 12:00"},
		{"2026-03-02 06:30", "2026-03-02 08:00"},
		{"2026-03-02 20:00", "2026-03-03 08:00"},
		{"2026-03-02 23:59", "2026-03-03 08:00"},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", tc.at, sh)
		want, _ := time.ParseInLocation("2006-01-02 15:04", tc.want, sh)
		require.True(t, want.Equal(w.Next(at, sh)), "%s → %s, got %s", tc.at, tc.want, w.Next(at, sh).In(sh))
	}
	for _, bad := range []string{"", "8-20", "20:00-08:00", "08:00-08:00", "25:00-26:00"} {
		_, err := outreach.ParseWindow(bad)
		require.Error(t, err, bad)
	}
}

func TestRulesPerRegionAndNightScheduling(t *testing.T) {
	t.Parallel()
	rules, err := outreach.ParseRules([]byte(`{"default": {"review_days_before": [14, 3], "phaseout_days_before": [30, 7, 1],
		"pledge_every_days": 7, "pledge_max_reminders": 4, "pledge_renew_months": 12, "window": "08:00-20:00",
		"unacknowledged_after_days": 3},
		"regions": {"qinghai-2021": {"review_days_before": [7]}}}`))
	require.NoError(t, err)
	_, err = outreach.ParseRules([]byte(`{"default": {"window": "x"}}`))
	require.Error(t, err)
	_, err = outreach.ParseRules([]byte(`{"default": {}, "nope": 1}`))
	require.Error(t, err)

	// 23:00 in Shanghai: reminders wait for the morning.
	night := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	b := setup(t, nil, func(c *outreach.Config) {
		c.Rules = rules
		c.Now = func() time.Time { return night }
	})
	ctx := context.Background()
	b.importCSV(t, header+
		"H0001,甲,"+nid(1)+",,guizhou-2020,rural,dibao,2025-01-01,2026-03-16,,2025-12-01\n"+
		"H0002,乙,"+nid(2)+",,qinghai-2021,rural,dibao,2025-01-01,2026-03-16,,2025-12-01\n"+
		"H0003,丙,"+nid(3)+",,qinghai-2021,rural,dibao,2025-01-01,2026-03-09,,2025-12-01\n")
	b.bindAll(t, 3)
	r, err := b.svc.Remind(ctx, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), false)
	require.NoError(t, err)
	require.Equal(t, 2, r.Queued, "guizhou 14 days ahead, qinghai 7 days ahead")
	var at time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT min(scheduled_at) FROM river_job WHERE kind = 'outreach_send'`).Scan(&at))
	require.Equal(t, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), at.UTC(), "08:00 Shanghai the next morning")
}
