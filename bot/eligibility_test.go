package bot_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// TestRecentRegionsKeepsTheProfilesForItsTTL: within the ttl the profiles
// read last are served again (an edit waits for the ttl); a day asked
// for the first time, or a ttl of zero, reads the database.
func TestRecentRegionsKeepsTheProfilesForItsTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := eligibility.NewStore(testdb.New(t))
	require.NoError(t, store.Seed(ctx))
	rural := func(set eligibility.RegionSet) float64 {
		t.Helper()
		p, err := set.Profile("guizhou-2020")
		require.NoError(t, err)
		return p.DibaoStandardMonthly.Rural
	}
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	kept, fresh := bot.RecentRegions(store, time.Hour), bot.RecentRegions(store, 0)
	set, err := kept.InForce(ctx, today)
	require.NoError(t, err)
	before := rural(set)

	v, err := store.Version(ctx, "guizhou-2020", today)
	require.NoError(t, err)
	doc := v.Document()
	doc["effective_from"] = "2026-01-01"
	doc["dibao_standard_monthly"].(map[string]any)["rural"] = before + 100
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	_, _, err = store.Save(ctx, b, "测试")
	require.NoError(t, err)

	set, err = kept.InForce(ctx, today)
	require.NoError(t, err)
	require.Equal(t, before, rural(set), "within the ttl: the profiles read before")
	set, err = fresh.InForce(ctx, today)
	require.NoError(t, err)
	require.Equal(t, before+100, rural(set), "ttl 0: read every time")
	set, err = kept.InForce(ctx, today.AddDate(0, 0, 1))
	require.NoError(t, err)
	require.Equal(t, before+100, rural(set), "another day: read again")
}
