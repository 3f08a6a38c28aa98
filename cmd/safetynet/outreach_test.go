package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/testdb"
)

// quietDates are the enrolled_on, next_review_on, phaseout_ends_on and
// pledge_signed_on columns of a household that owes no reminder for months
// either side of today. Tests that run `serve`, whose scheduler derives the
// day's reminders, then count their campaign's messages alone: with fixed
// dates the pledge renewal fell due when the calendar reached it.
var quietDates = func() string {
	day := func(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }
	return day(-400) + "," + day(200) + ",," + day(-30)
}()

func outreachID(n int) string {
	first := fmt.Sprintf("52010219800101%03d", n)
	return first + string(pii.NationalIDCheckChar(first))
}

func TestOutreachCommands(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	t.Setenv("SAFETYNET_DATA_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)))
	dir := t.TempDir()
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	header := "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on,village\n"
	good := header +
		"A1,张三," + outreachID(1) + ",13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,2025-12-01,上寨\n" +
		"A2,李四," + outreachID(2) + ",,guizhou-2020,urban,dibao_phaseout,2025-06-01,2026-09-01,2026-04-01,2025-12-01,下寨\n"
	goodPath := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(goodPath, []byte(good), 0o600))
	bad := header + "A1,张三," + outreachID(1)[:17] + "Z,,guizhou-2020,rural,dibao,2025-13-01,2026-03-16,,,\n"
	badPath := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(badPath, []byte(bad), 0o600))

	code, _, stderr := runCmd("outreach", "import", badPath)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "line 2: national_id")
	require.Contains(t, stderr, "line 2: enrolled_on")

	code, stdout, stderr := runCmd("outreach", "import", goodPath, "--dry-run")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "dry run")
	code, stdout, stderr = runCmd("outreach", "import", goodPath)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "2 new")
	// Nothing has happened to a household just enrolled, and the timeline
	// says so rather than printing nothing.
	code, stdout, stderr = runCmd("outreach", "timeline", "A2")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "household A2: no events yet")

	code, stdout, stderr = runCmd("outreach", "codes", "--household", "A1", "--bot", "sn_bot")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Equal(t, "household_id,code,link", lines[0])
	require.Regexp(t, `^A1,[0-9A-Z]{10},https://t\.me/sn_bot\?start=[0-9A-Z]{10}$`, lines[1])

	code, stdout, stderr = runCmd("outreach", "remind", "--date", "2026-03-02")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "review 1, phaseout 1")
	code, stdout, _ = runCmd("outreach", "remind", "--date", "2026-03-02")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "queued 0 new")
	code, _, stderr = runCmd("outreach", "remind", "--date", "2026-02-30")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--date")

	// The timeline names a reminder's two days: sent on the day remind ran
	// for, due on the review date.
	code, stdout, stderr = runCmd("outreach", "timeline", "A1")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "send 2026-03-02 due 2026-03-16")

	code, stdout, stderr = runCmd("outreach", "report", "--json")
	require.Equal(t, 0, code, stderr)
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Nil(t, rep["campaign"])
	require.Equal(t, map[string]any{"queued": 0.0, "sent": 0.0, "failed": 0.0, "unreachable": 2.0, "acknowledged": 0.0, "opted_out": 0.0}, rep["counts"])

	code, stdout, stderr = runCmd("outreach", "household", outreachID(2))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, pii.MaskNationalID(outreachID(2)))
	require.NotContains(t, stdout, outreachID(2))

	code, stdout, stderr = runCmd("outreach", "campaign", "create", "--name", "年审", "--template", "review_notice", "--area", "rural")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "reaches 1 households")
	require.Contains(t, stdout, "张*您好")
	code, _, stderr = runCmd("outreach", "campaign", "start", "1")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "test-sent")
	code, _, stderr = runCmd("outreach", "campaign", "create", "--name", "x", "--area", "town", "--text", "hi")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--area")
	code, stdout, stderr = runCmd("outreach", "report", "--campaign", "1", "--json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, `"campaign":1`)

	code, stdout, stderr = runCmd("outreach", "followups", "--csv")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "A1,张*,138****0001")

	code, _, _ = runCmd("outreach", "nosuch")
	require.Equal(t, 2, code)
}

func TestBenchOutreachRunsAndReports(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	t.Setenv("SAFETYNET_LOG_LEVEL", "error")
	var out, errOut bytes.Buffer
	code := run([]string{"bench", "outreach", "--households", "300", "--ceiling-messages", "200", "--real-messages", "40", "--json"},
		strings.NewReader(""), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var res benchOutreachResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	require.Equal(t, 300, res.Derived)
	require.Zero(t, res.RemindAgainNew)
	require.Len(t, res.Phases, 2)
	for _, p := range res.Phases {
		require.Zero(t, p.Lost, p.Name)
		require.Zero(t, p.Duplicates, p.Name)
		require.Positive(t, p.Rate, p.Name)
	}
	require.Zero(t, res.Phases[1].Got429)

	code = run([]string{"bench", "outreach", "--households", "0"}, strings.NewReader(""), &out, &errOut)
	require.Equal(t, 2, code)
}
