package eligibility_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

var regionParams = []string{
	"dibao_standard_monthly.urban", "dibao_standard_monthly.rural",
	"low_income_multiplier", "phaseout_cap_multiplier",
	"phaseout_months.min", "phaseout_months.max",
	"min_wage_monthly", "working_age.min", "working_age.max",
	"elderly_age", "tekun_minor_age", "temporary_town_limit",
}

func TestBuiltinRegions(t *testing.T) {
	t.Parallel()
	ids := []string{}
	for _, p := range eligibility.Regions() {
		ids = append(ids, p.ID)
	}
	require.Subset(t, ids, []string{"guizhou-2020", "qinghai-2021", "gongxian-2020"})
	require.IsIncreasing(t, ids)

	gz, err := eligibility.Region("guizhou-2020")
	require.NoError(t, err)
	require.Equal(t, 375.0, gz.Standard(eligibility.Rural))
	require.Equal(t, "004_f3d72d4f8696011b.txt", gz.Sources["dibao_standard_monthly.rural"].Doc)
	require.True(t, gz.Sources["dibao_standard_monthly.urban"].Example)

	qh, err := eligibility.Region("qinghai-2021")
	require.NoError(t, err)
	require.Equal(t, 12, qh.PhaseoutMonths.Min)
	require.Nil(t, qh.PhaseoutMonths.Max)
	require.Equal(t, 2.0, qh.LowIncomeMultiplier)
	require.Equal(t, "000_af371565f628b411.txt", qh.Sources["low_income_multiplier"].Doc)

	gx, err := eligibility.Region("gongxian-2020")
	require.NoError(t, err)
	require.Equal(t, 3, gx.PhaseoutMonths.Min)
	require.Equal(t, 12, *gx.PhaseoutMonths.Max)
	require.Equal(t, 3000.0, gx.TemporaryTownLimit)
	require.Equal(t, "三、(二)", gx.Sources["temporary_town_limit"].Section)

	_, err = eligibility.Region("atlantis")
	require.ErrorIs(t, err, eligibility.ErrUnknownRegion)
	require.ErrorContains(t, err, "guizhou-2020", "the error lists the valid ids")
}

// TestRegionSourcesAreReal: every parameter of every region names its
// source, and every cited section exists in that corpus document.
func TestRegionSourcesAreReal(t *testing.T) {
	t.Parallel()
	corpus := filepath.Join(evalDir(t), "..", "..", "corpus")
	for _, p := range eligibility.Regions() {
		for _, param := range regionParams {
			s, ok := p.Sources[param]
			require.True(t, ok, "%s: %s has no source", p.ID, param)
			require.True(t, s.Example || (s.Doc != "" && s.Section != ""), "%s: %s", p.ID, param)
			if s.Example {
				require.NotEmpty(t, s.Note, "%s: %s: an example says what the bureau must set", p.ID, param)
			}
			if s.Doc == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(corpus, s.Doc))
			require.NoError(t, err, "%s: %s", p.ID, param)
			requireSection(t, string(b), s.Doc, s.Section)
		}
	}
}

func requireSection(t *testing.T, text, doc, section string) {
	t.Helper()
	parts := headingRE.FindAllString(section, -1)
	require.NotEmpty(t, parts, section)
	loc := regexp.MustCompile(`(?m)^[ \t\x{3000}]*` + regexp.QuoteMeta(parts[0])).FindStringIndex(text)
	require.NotNil(t, loc, "%s: heading %q not found", doc, parts[0])
	pos := loc[1]
	for _, part := range parts[1:] {
		i := strings.Index(text[pos:], part)
		require.GreaterOrEqual(t, i, 0, "%s: section %q: %q not found", doc, section, part)
		pos += i + len(part)
	}
}

// TestRegionFileChecks: adding a county is adding a file, and a bad file
// is caught (the loader is exercised on a stand-in file system).
func TestRegionFileChecks(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(filepath.Join("regions", "gongxian-2020.json"))
	require.NoError(t, err)
	cases := []struct {
		name, file, body, wantErr string
	}{
		{"copy under new id", "regions/new-county.json", strings.Replace(string(good), `"gongxian-2020"`, `"new-county"`, 1), ""},
		{"id must match file", "regions/other.json", string(good), "must match"},
		{"missing source", "regions/gongxian-2020.json", strings.Replace(string(good), `"elderly_age": {"example": true, "note": "常用老年人年龄，示例值"},`, "", 1), "sources.elderly_age"},
		{"missing param", "regions/gongxian-2020.json", strings.Replace(string(good), `"elderly_age": 60,`, "", 1), "elderly_age"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{c.file: {Data: []byte(c.body)}}
			regs, err := eligibility.LoadRegionsForTest(fsys)
			if c.wantErr == "" {
				require.NoError(t, err)
				require.Len(t, regs, 1)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), c.wantErr)
		})
	}
}

func TestInputErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := eligibility.DecodeBytes([]byte(`{"region":"guizhou-2020","area":"rural","members":[{"age":30,"monthly_income":-5}]}`))
	var ie *eligibility.InputError
	require.True(t, errors.As(err, &ie))
	require.True(t, strings.HasPrefix(err.Error(), "members[0].monthly_income: "))
}
