package outreach_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/outreach"
)

func TestReimportingUnchangedFileChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	require.Equal(t, 4, b.importCSV(t, csvRows(4)).Inserted)
	var before string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT string_agg(updated_at::text, ',' ORDER BY household_id) FROM outreach_households`).Scan(&before))

	res := b.importCSV(t, csvRows(4))
	require.Equal(t, outreach.ImportResult{Rows: 4, Unchanged: 4}, res)
	var after string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT string_agg(updated_at::text, ',' ORDER BY household_id) FROM outreach_households`).Scan(&after))
	require.Equal(t, before, after, "unchanged rows are not rewritten")

	// A changed phone is a change (the hash covers the sealed columns too).
	changed := strings.Replace(csvRows(4), "13800000002", "13900000002", 1)
	res = b.importCSV(t, changed)
	require.Equal(t, 1, res.Updated)
	require.Equal(t, 3, res.Unchanged)
	// An extra column too.
	res = b.importCSV(t, strings.Replace(strings.Replace(changed, "pledge_signed_on\n", "pledge_signed_on,village\n", 1), ",2025-12-01\n", ",2025-12-01,上寨\n", -1))
	require.Equal(t, 4, res.Updated)
}

func TestImportChecksPhonesAndNamesKnownRegions(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	rows := []string{"13800000001", "0851-86123456", "12345", "8612345", "1380000000", "+86 139 0000 0001"}
	var csv strings.Builder
	csv.WriteString(header)
	for i, p := range rows {
		fmt.Fprintf(&csv, "H%d,张三,%s,%s,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n", i+1, nid(i+1), p)
	}
	fmt.Fprintf(&csv, "H9,李四,%s,,guizhou,rural,dibao,2025-06-01,2026-03-16,,\n", nid(9))
	_, err := b.svc.Import(context.Background(), strings.NewReader(csv.String()), false)
	var ie *outreach.ImportError
	require.ErrorAs(t, err, &ie)
	got := map[string]string{}
	for _, r := range ie.Rows {
		got[fmt.Sprintf("%d:%s", r.Line, r.Field)] = r.Message
	}
	require.Len(t, got, 4, "%v", ie.Rows)
	for _, line := range []int{4, 5, 6} {
		msg, ok := got[fmt.Sprintf("%d:phone", line)]
		require.True(t, ok, "line %d: phone refused", line)
		require.Contains(t, msg, "mobile")
		require.NotContains(t, msg, rows[line-2], "the number itself stays out of the message")
	}
	msg := got["8:region"]
	require.Contains(t, msg, `"guizhou"`)
	require.Contains(t, msg, "guizhou-2020", "the valid ids are listed")

	_, err = b.svc.CreateCampaign(context.Background(), outreach.CampaignInput{Name: "x", Text: "hi",
		Segment: outreach.Segment{Regions: []string{"atlantis"}}})
	var fe *outreach.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "region", fe.Field)
	require.Contains(t, fe.Message, "guizhou-2020")
}
