package eligibility_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// evalCase is one file of ../shared/eval/households.
type evalCase struct {
	Name      string
	Household json.RawMessage `json:"household"`
	Expect    json.RawMessage `json:"expect"`
	Figures   *struct {
		S, A, B float64
	} `json:"figures"`
}

type expectProgram struct {
	Verdict   string `json:"verdict"`
	Members   *[]int `json:"members"`
	MonthsMin *int   `json:"months_min"`
	MonthsMax *int   `json:"months_max"`
}

// evalDir finds the shared eval cases: walk up to go.mod, then ../shared.
func evalDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found")
		dir = parent
	}
	return filepath.Join(dir, "..", "shared", "eval", "households")
}

func loadCases(t *testing.T) []evalCase {
	t.Helper()
	dir := evalDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no eval cases in %s", dir)
	var out []evalCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var c evalCase
		require.NoError(t, json.Unmarshal(b, &c), f)
		c.Name = filepath.Base(f)
		out = append(out, c)
	}
	return out
}

func TestEvalHouseholds(t *testing.T) {
	t.Parallel()
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			h, err := eligibility.DecodeBytes(c.Household)
			if string(c.Expect) == `"error"` {
				require.Error(t, err)
				var ie *eligibility.InputError
				require.True(t, errors.As(err, &ie))
				require.NotEmpty(t, ie.Field)
				return
			}
			require.NoError(t, err)
			r := eligibility.Check(h, "12345")
			// Through JSON, as a client sees it.
			b, err := json.Marshal(r)
			require.NoError(t, err)
			CheckAgainstExpect(t, b, c)
		})
	}
}

// CheckAgainstExpect compares a JSON result with an eval case's expectation.
func CheckAgainstExpect(t *testing.T, out []byte, c evalCase) {
	t.Helper()
	var got struct {
		StandardMonthly float64 `json:"standard_monthly"`
		PerCapita       struct {
			BeforeRigid float64 `json:"before_rigid"`
			AfterRigid  float64 `json:"after_rigid"`
		} `json:"per_capita"`
		Programs   []map[string]json.RawMessage `json:"programs"`
		Disclaimer string                       `json:"disclaimer"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got.Programs, 7)
	require.NotEmpty(t, got.Disclaimer)
	var want map[string]expectProgram
	require.NoError(t, json.Unmarshal(c.Expect, &want))
	for _, p := range got.Programs {
		var name, verdict string
		require.NoError(t, json.Unmarshal(p["program"], &name))
		require.NoError(t, json.Unmarshal(p["verdict"], &verdict))
		var reasons []string
		require.NoError(t, json.Unmarshal(p["reasons"], &reasons))
		require.NotEmpty(t, reasons, name)
		var cites []eligibility.Citation
		require.NoError(t, json.Unmarshal(p["citations"], &cites))
		require.NotEmpty(t, cites, name)
		w, ok := want[name]
		require.True(t, ok, "unexpected program %s", name)
		require.Equal(t, w.Verdict, verdict, name)
		if w.Members != nil {
			var m []int
			require.NoError(t, json.Unmarshal(p["members"], &m))
			require.Equal(t, *w.Members, m, name)
		}
		if w.MonthsMin != nil {
			var m int
			require.NoError(t, json.Unmarshal(p["months_min"], &m))
			require.Equal(t, *w.MonthsMin, m)
		}
		if w.MonthsMax != nil {
			var m int
			require.NoError(t, json.Unmarshal(p["months_max"], &m))
			require.Equal(t, *w.MonthsMax, m)
		}
		delete(want, name)
	}
	require.Empty(t, want, "programs missing from the result")
	require.NotNil(t, c.Figures)
	require.Equal(t, c.Figures.S, got.StandardMonthly)
	require.Equal(t, c.Figures.A, got.PerCapita.BeforeRigid)
	require.Equal(t, c.Figures.B, got.PerCapita.AfterRigid)
}

// TestCitationsAreReal checks every citation against the corpus: the doc
// exists and the section's headings appear in it in order.
func TestCitationsAreReal(t *testing.T) {
	t.Parallel()
	corpus := filepath.Join(evalDir(t), "..", "..", "corpus")
	for _, c := range loadCases(t) {
		if string(c.Expect) == `"error"` {
			continue
		}
		h, err := eligibility.DecodeBytes(c.Household)
		require.NoError(t, err)
		for _, p := range eligibility.Check(h, "").Programs {
			for _, cite := range p.Citations {
				b, err := os.ReadFile(filepath.Join(corpus, cite.Doc))
				require.NoError(t, err, cite.Doc)
				text := string(b)
				parts := headingRE.FindAllString(cite.Section, -1)
				require.NotEmpty(t, parts, cite.Section)
				// The first heading starts a line; the rest follow it in order.
				loc := regexp.MustCompile(`(?m)^[ \t\x{3000}]*` + regexp.QuoteMeta(parts[0])).FindStringIndex(text)
				require.NotNil(t, loc, "%s: heading %q not found", cite.Doc, parts[0])
				pos := loc[1]
				for _, part := range parts[1:] {
					i := strings.Index(text[pos:], part)
					require.GreaterOrEqual(t, i, 0, "%s: section %q: %q not found", cite.Doc, cite.Section, part)
					pos += i + len(part)
				}
			}
		}
	}
}

var headingRE = regexp.MustCompile(`[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.`)
