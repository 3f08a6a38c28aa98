package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
)

// A household id or field that a spreadsheet reads as a formula is refused
// at import, and whatever is already stored leaves every export as text.
func TestOutreachCSVFormulas(t *testing.T) {
	// Setenv: not parallel.
	url := testdb.URL(testdb.NewDatabase(t))
	t.Setenv("DATABASE_URL", url)
	t.Setenv("SAFETYNET_DATA_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)))
	dir := t.TempDir()
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	header := "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n"
	for _, id := range []string{`"=cmd|' /C calc'!A0"`, "+1", "-A1", "@A1", "A 1", "А1"} { // the last one is Cyrillic
		path := filepath.Join(dir, "bad.csv")
		require.NoError(t, os.WriteFile(path, []byte(header+id+",张三,"+outreachID(1)+",,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n"), 0o600))
		code, _, stderr := runCmd("outreach", "import", path)
		require.Equal(t, 2, code, id)
		require.Contains(t, stderr, "line 2: household_id", id)
	}

	good := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(good, []byte(header+"A1,张三,"+outreachID(1)+",13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,\n"), 0o600))
	code, _, stderr := runCmd("outreach", "import", good)
	require.Equal(t, 0, code, stderr)
	// Rows stored before ids were checked, or written by hand.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE outreach_households SET name_masked = '=HYPERLINK("http://x")', region = '@SUM(A1)'`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO outreach_households
		SELECT (jsonb_populate_record(null::outreach_households, to_jsonb(h) || '{"household_id": "=1+1"}')).*
		FROM outreach_households h WHERE household_id = 'A1'`)
	require.NoError(t, err)

	code, stdout, stderr := runCmd("outreach", "codes", "--household", "=1+1", "--bot", "sn_bot")
	require.Equal(t, 0, code, stderr)
	requireNoFormula(t, stdout)
	require.Contains(t, stdout, "'=1+1,")

	code, _, stderr = runCmd("outreach", "remind", "--date", "2026-03-02")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr = runCmd("outreach", "followups", "--csv")
	require.Equal(t, 0, code, stderr)
	requireNoFormula(t, stdout)
	require.Contains(t, stdout, "'@SUM(A1)")
}

// requireNoFormula checks that no cell of a CSV starts like a formula.
func requireNoFormula(t *testing.T, out string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(recs), 1, out)
	for _, rec := range recs {
		for _, c := range rec {
			if c != "" {
				require.NotContains(t, "=+-@\t\r", c[:1], "cell %q in\n%s", c, out)
			}
		}
	}
}
