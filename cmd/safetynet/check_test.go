package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/testdb"
)

// checkCase is one file of ../shared/eval/households.
type checkCase struct {
	name      string
	Household json.RawMessage            `json:"household"`
	Expect    json.RawMessage            `json:"expect"`
	Figures   map[string]float64         `json:"figures"`
	programs  map[string]json.RawMessage // expect, when not "error"
}

// repoRoot is the module root.
func repoRoot(t *testing.T) string { t.Helper(); return fixtures.Root(t) }

// loadCheckCases reads the shared eval cases and writes each household to
// a temporary file, as an operator would hand it to `safetynet check`.
func loadCheckCases(t *testing.T) ([]checkCase, []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "..", "shared", "eval", "households", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	tmp := t.TempDir()
	var cases []checkCase
	var paths []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var c checkCase
		require.NoError(t, json.Unmarshal(b, &c))
		c.name = filepath.Base(f)
		if string(c.Expect) != `"error"` {
			require.NoError(t, json.Unmarshal(c.Expect, &c.programs))
		}
		p := filepath.Join(tmp, c.name)
		require.NoError(t, os.WriteFile(p, c.Household, 0o600))
		cases = append(cases, c)
		paths = append(paths, p)
	}
	return cases, paths
}

// verifyOutput compares `check --json` output with the case's expectation.
func verifyOutput(t *testing.T, c checkCase, out []byte) {
	t.Helper()
	var got struct {
		StandardMonthly float64 `json:"standard_monthly"`
		PerCapita       struct {
			BeforeRigid float64 `json:"before_rigid"`
			AfterRigid  float64 `json:"after_rigid"`
		} `json:"per_capita"`
		Programs []struct {
			Program   string           `json:"program"`
			Verdict   string           `json:"verdict"`
			Reasons   []string         `json:"reasons"`
			Citations []map[string]any `json:"citations"`
			Members   []int            `json:"members"`
			MonthsMin *int             `json:"months_min"`
			MonthsMax *int             `json:"months_max"`
		} `json:"programs"`
		Disclaimer string `json:"disclaimer"`
	}
	require.NoError(t, json.Unmarshal(out, &got), string(out))
	require.Len(t, got.Programs, 7)
	require.NotEmpty(t, got.Disclaimer)
	require.Equal(t, c.Figures["S"], got.StandardMonthly, c.name)
	require.Equal(t, c.Figures["A"], got.PerCapita.BeforeRigid, c.name)
	require.Equal(t, c.Figures["B"], got.PerCapita.AfterRigid, c.name)
	seen := map[string]bool{}
	for _, p := range got.Programs {
		seen[p.Program] = true
		raw, ok := c.programs[p.Program]
		require.True(t, ok, "%s: unexpected program %s", c.name, p.Program)
		var want struct {
			Verdict   string `json:"verdict"`
			Members   *[]int `json:"members"`
			MonthsMin *int   `json:"months_min"`
			MonthsMax *int   `json:"months_max"`
		}
		require.NoError(t, json.Unmarshal(raw, &want))
		require.Equal(t, want.Verdict, p.Verdict, "%s: %s", c.name, p.Program)
		require.NotEmpty(t, p.Reasons)
		require.NotEmpty(t, p.Citations)
		if want.Members != nil {
			require.Equal(t, *want.Members, p.Members, "%s: %s", c.name, p.Program)
		}
		if want.MonthsMin != nil {
			require.Equal(t, *want.MonthsMin, *p.MonthsMin)
		}
		if want.MonthsMax != nil {
			require.Equal(t, *want.MonthsMax, *p.MonthsMax)
		}
	}
	require.Len(t, seen, len(c.programs))
}

func TestCheckCommandEvalCases(t *testing.T) {
	// The profiles come from the database (seeded with the bundled ones).
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	cases, paths := loadCheckCases(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", "--json", paths[i]}, strings.NewReader(""), &stdout, &stderr)
			if string(c.Expect) == `"error"` {
				require.Equal(t, 2, code, stderr.String())
				require.Empty(t, stdout.String(), "no partial output on bad input")
				require.Contains(t, stderr.String(), "field ")
				return
			}
			require.Equal(t, 0, code, stderr.String())
			verifyOutput(t, c, stdout.Bytes())

			// The report without --json reads the same household.
			stdout.Reset()
			code = run([]string{"check", paths[i]}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, 0, code, stderr.String())
			require.Contains(t, stdout.String(), "不是审批结果")
		})
	}
}

func TestCheckCommandInputs(t *testing.T) {
	dir := t.TempDir()
	good := `{"region":"guizhou-2020","area":"rural","members":[{"age":70,"labor_capacity":"none","supporters":"none"}]}`
	cases := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		outHas string
		errHas string
	}{
		{"stdin json", []string{"check", "--json", "-"}, good, 0, `"program": "tekun"`, ""},
		{"flag after file", []string{"check", "-", "--json"}, good, 0, `"standard_monthly": 375`, ""},
		{"report", []string{"check", "-"}, good, 0, "特困人员救助供养", ""},
		{"hotline from env", []string{"check", "-"}, `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"employed":true,"monthly_income":9000}]}`, 0, "96110", ""},
		{"bad age names field", []string{"check", "-"}, `{"region":"guizhou-2020","area":"rural","members":[{"age":131}]}`, 2, "", "members[0].age"},
		{"region param names field", []string{"check", "-"}, `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"rural":"x"}},"area":"rural","members":[{"age":1}]}`, 2, "", "region.dibao_standard_monthly.rural"},
		{"unknown region", []string{"check", "-"}, `{"region":"mars","area":"rural","members":[{"age":1}]}`, 2, "", "region"},
		{"not json", []string{"check", "-"}, `hello`, 2, "", "(document)"},
		{"no file", []string{"check"}, "", 2, "", "FILE"},
		{"two files", []string{"check", "a", "b"}, "", 2, "", "FILE"},
		{"missing file", []string{"check", filepath.Join(dir, "nope.json")}, "", 2, "", "nope.json"},
		{"bad flag", []string{"check", "--yaml", "-"}, good, 2, "", "yaml"},
	}
	t.Setenv("SAFETYNET_HOTLINE", "96110")
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, strings.NewReader(c.stdin), &stdout, &stderr)
			require.Equal(t, c.code, code, stderr.String())
			if c.code != 0 {
				require.Empty(t, stdout.String())
			}
			require.Contains(t, stdout.String(), c.outHas)
			require.Contains(t, stderr.String(), c.errHas)
		})
	}
}

// TestCheckBinary builds the real binary and runs it on every eval case.
func TestCheckBinary(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "safetynet")
	build := exec.Command("go", "build", "-o", bin, "./cmd/safetynet")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	cases, paths := loadCheckCases(t)
	for i, c := range cases {
		cmd := exec.Command(bin, "check", "--json", paths[i])
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if string(c.Expect) == `"error"` {
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, c.name)
			require.Equal(t, 2, ee.ExitCode(), c.name)
			require.Empty(t, stdout.String())
			continue
		}
		require.NoError(t, err, "%s: %s", c.name, stderr.String())
		verifyOutput(t, c, stdout.Bytes())
	}
}
