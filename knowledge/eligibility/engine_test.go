package eligibility_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// household builds a test-county household (S rural 375, urban 600, min
// wage 1570, lines at 2×, working age 16–59, elderly 60, minors < 18).
func household(t *testing.T, extra string, members string) eligibility.Household {
	t.Helper()
	in := `{"region":` + testRegion + `,"area":"rural","members":[` + members + `]` + extra + `}`
	h, err := eligibility.DecodeBytes([]byte(in))
	require.NoError(t, err, in)
	return h
}

func TestRules(t *testing.T) {
	t.Parallel()
	type want map[eligibility.Program]eligibility.Verdict
	E, N, R := eligibility.Eligible, eligibility.NotEligible, eligibility.Refer
	cases := []struct {
		name     string
		extra    string
		members  string
		A, B     float64
		verdicts want
		members_ map[eligibility.Program][]int
		text     string
	}{
		{name: "A equal to S is not below", members: `{"age":40,"employed":true,"monthly_income":750},{"age":10}`, A: 375, B: 375,
			verdicts: want{eligibility.Dibao: N, eligibility.LowIncome: E}},
		{name: "one yuan under S", members: `{"age":40,"employed":true,"monthly_income":749},{"age":10}`, A: 374.5, B: 374.5,
			verdicts: want{eligibility.Dibao: E, eligibility.LowIncome: N}},
		{name: "phaseout at S", extra: `,"current_program":"dibao"`, members: `{"age":40,"employed":true,"monthly_income":375}`, A: 375, B: 375,
			verdicts: want{eligibility.DibaoPhaseout: E}},
		{name: "phaseout at cap", extra: `,"current_program":"dibao"`, members: `{"age":40,"employed":true,"monthly_income":750}`, A: 750, B: 750,
			verdicts: want{eligibility.DibaoPhaseout: E, eligibility.LowIncome: E}},
		{name: "phaseout one over cap leaves dibao", extra: `,"current_program":"dibao"`, members: `{"age":40,"employed":true,"monthly_income":751}`, A: 751, B: 751,
			verdicts: want{eligibility.DibaoPhaseout: N, eligibility.LowIncome: N}, text: "退出低保"},
		{name: "phaseout uses B after rigid", extra: `,"current_program":"dibao","monthly_rigid_expenses":100`, members: `{"age":40,"employed":true,"monthly_income":800}`, A: 800, B: 700,
			verdicts: want{eligibility.DibaoPhaseout: E}},
		{name: "phaseout not for others", extra: `,"current_program":"low_income"`, members: `{"age":40,"employed":true,"monthly_income":500}`, A: 500, B: 500,
			verdicts: want{eligibility.DibaoPhaseout: N}},
		{name: "still below S on dibao", extra: `,"current_program":"dibao"`, members: `{"age":40,"employed":true,"monthly_income":300}`, A: 300, B: 300,
			verdicts: want{eligibility.DibaoPhaseout: N, eligibility.Dibao: E}},
		{name: "idle 59 imputed", members: `{"age":59}`, A: 1570, B: 1570, verdicts: want{eligibility.Dibao: N}, text: "最低工资"},
		{name: "idle 60 not imputed", members: `{"age":60}`, A: 0, B: 0, verdicts: want{eligibility.Dibao: E}},
		{name: "idle 16 imputed", members: `{"age":16}`, A: 1570, B: 1570, verdicts: want{eligibility.Dibao: N}},
		{name: "idle 15 not imputed", members: `{"age":15}`, A: 0, B: 0, verdicts: want{eligibility.Dibao: E}},
		{name: "income above min wage kept", members: `{"age":30,"monthly_income":2000}`, A: 2000, B: 2000, verdicts: want{eligibility.Dibao: N}},
		{name: "idle with some income lifted", members: `{"age":30,"monthly_income":200}`, A: 1570, B: 1570},
		{name: "mild disability imputed", members: `{"age":30,"disability":"mild"}`, A: 1570, B: 1570},
		{name: "moderate disability not imputed", members: `{"age":30,"disability":"moderate"}`, A: 0, B: 0},
		{name: "partial labor not imputed", members: `{"age":30,"labor_capacity":"partial"}`, A: 0, B: 0},
		{name: "student not imputed", members: `{"age":19,"student":true}`, A: 0, B: 0},
		{name: "ill not imputed", members: `{"age":30,"serious_illness":true}`, A: 0, B: 0},
		{name: "employed at low pay not imputed", members: `{"age":30,"employed":true,"monthly_income":100}`, A: 100, B: 100},
		{name: "carer not imputed", members: `{"age":30,"caregiving":true}`, A: 0, B: 0, text: "照顾家人"},
		{name: "deductions floor at zero", extra: `,"monthly_employment_costs":300,"monthly_rigid_expenses":500`, members: `{"age":30,"employed":true,"monthly_income":400}`, A: 100, B: 0},
		{name: "expenditure dibao", extra: `,"monthly_rigid_expenses":400`, members: `{"age":30,"employed":true,"monthly_income":700}`, A: 700, B: 300,
			verdicts: want{eligibility.Dibao: N, eligibility.DibaoExpenditure: E, eligibility.LowIncome: N, eligibility.DibaoSingle: N}},
		{name: "expenditure B equal S fails", extra: `,"monthly_rigid_expenses":325`, members: `{"age":30,"employed":true,"monthly_income":700}`, A: 700, B: 375,
			verdicts: want{eligibility.DibaoExpenditure: N, eligibility.LowIncome: E}},
		{name: "low income at line", members: `{"age":30,"employed":true,"monthly_income":750}`, A: 750, B: 750, verdicts: want{eligibility.LowIncome: E}},
		{name: "single: severe, ill, elder without labor; not elder with partial", members: `{"age":40,"employed":true,"monthly_income":2000},{"age":30,"disability":"severe","labor_capacity":"none"},{"age":50,"serious_illness":true,"labor_capacity":"partial"},{"age":65,"labor_capacity":"none"},{"age":70,"labor_capacity":"partial"}`,
			A: 400, B: 400, verdicts: want{eligibility.DibaoSingle: E, eligibility.LowIncome: E},
			members_: map[eligibility.Program][]int{eligibility.DibaoSingle: {1, 2, 3}, eligibility.Tekun: {}}},
		{name: "single not above line", members: `{"age":40,"employed":true,"monthly_income":3000},{"age":30,"disability":"severe","labor_capacity":"none"}`,
			A: 1500, B: 1500, verdicts: want{eligibility.DibaoSingle: N}, members_: map[eligibility.Program][]int{eligibility.DibaoSingle: {}}},
		{name: "tekun: unable supporters, minor, own income", members: `{"age":80,"labor_capacity":"none","supporters":"unable","monthly_income":374},{"age":17,"student":true,"supporters":"none","monthly_income":0},{"age":18,"student":true,"supporters":"none"},{"age":90,"labor_capacity":"none","supporters":"none","monthly_income":375},{"age":85,"labor_capacity":"none"}`,
			A: 149.8, B: 149.8, verdicts: want{eligibility.Tekun: E, eligibility.Dibao: E},
			members_: map[eligibility.Program][]int{eligibility.Tekun: {0, 1}}},
		{name: "temporary within town limit", extra: `,"sudden_hardship":true,"sudden_expense":3000`, members: `{"age":30,"employed":true,"monthly_income":5000}`, A: 5000, B: 5000,
			verdicts: want{eligibility.Temporary: R}, text: "乡镇（街道）就可以确认"},
		{name: "temporary above town limit", extra: `,"sudden_hardship":true,"sudden_expense":3001`, members: `{"age":30,"employed":true,"monthly_income":5000}`, A: 5000, B: 5000,
			verdicts: want{eligibility.Temporary: R}, text: "县级"},
		{name: "temporary unknown cost", extra: `,"sudden_hardship":true`, members: `{"age":30,"employed":true,"monthly_income":5000}`, A: 5000, B: 5000,
			verdicts: want{eligibility.Temporary: R}},
		{name: "expense without hardship", extra: `,"sudden_expense":1000`, members: `{"age":30,"employed":true,"monthly_income":5000}`, A: 5000, B: 5000,
			verdicts: want{eligibility.Temporary: N}, text: "12345"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := eligibility.Check(household(t, c.extra, c.members), "")
			require.Equal(t, c.A, r.PerCapita.BeforeRigid)
			require.Equal(t, c.B, r.PerCapita.AfterRigid)
			require.Len(t, r.Programs, 7)
			for p, v := range c.verdicts {
				require.Equal(t, v, r.Program(p).Verdict, "%s: %v", p, r.Program(p).Reasons)
			}
			for p, m := range c.members_ {
				require.Equal(t, m, r.Program(p).Members, p)
			}
			if c.text != "" {
				require.Contains(t, r.Text(), c.text)
			}
			// Exactly one of dibao / expenditure / low income / above the line.
			n := 0
			for _, p := range []eligibility.Program{eligibility.Dibao, eligibility.DibaoExpenditure, eligibility.LowIncome} {
				if r.Program(p).Verdict == eligibility.Eligible {
					n++
				}
			}
			require.LessOrEqual(t, n, 1)
		})
	}
}

func TestReasonsGiveFigures(t *testing.T) {
	t.Parallel()
	r := eligibility.Check(household(t, "", `{"age":40,"employed":true,"monthly_income":1400},{"age":38,"employed":true,"monthly_income":0},{"age":12}`), "")
	require.Equal(t, 466.67, r.PerCapita.BeforeRigid)
	require.Contains(t, strings.Join(r.Program(eligibility.Dibao).Reasons, ""), "466.67 元，高于当地低保标准 375 元")
	require.Contains(t, r.Disclaimer, "不是审批结果")
	text := r.Text()
	require.Contains(t, text, "466.67 元")
	require.Contains(t, text, "户口簿")
	require.Contains(t, text, "收入证明")
	require.NotContains(t, text, "残疾证")
}

func TestExampleStandardIsFlagged(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		example bool
	}{
		{`{"region":"guizhou-2020","area":"rural","members":[{"age":70}]}`, false},
		{`{"region":"guizhou-2020","area":"urban","members":[{"age":70}]}`, true},
		{`{"region":"gongxian-2020","area":"rural","members":[{"age":70}]}`, true},
	} {
		h, err := eligibility.DecodeBytes([]byte(c.in))
		require.NoError(t, err)
		r := eligibility.Check(h, "")
		require.Equal(t, c.example, r.StandardExample, c.in)
		require.Equal(t, c.example, strings.Contains(r.Text(), "示例数字"), c.in)
	}
}

func TestNextStepsFitHousehold(t *testing.T) {
	t.Parallel()
	r := eligibility.Check(household(t, `,"monthly_rigid_expenses":300`, `{"age":70,"labor_capacity":"none","disability":"severe","serious_illness":true},{"age":15,"student":true}`), "96110")
	steps := strings.Join(r.NextSteps, "\n")
	for _, s := range []string{"户口簿", "身份证", "病历", "残疾证", "在读证明", "票据", "96110", "协理员"} {
		require.Contains(t, steps, s)
	}
	none := eligibility.Check(household(t, "", `{"age":30,"employed":true,"monthly_income":9000}`), "96110")
	steps = strings.Join(none.NextSteps, "\n")
	require.Contains(t, steps, "临时救助")
	require.Contains(t, steps, "96110")
}
