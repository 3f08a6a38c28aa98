package eligibility_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// randomHousehold draws a valid household. Incomes are whole yuan so that
// sums are exact in any order and the properties test the rules, not
// floating-point rounding.
func randomHousehold(rng *rand.Rand) eligibility.Household {
	regions := eligibility.Regions()
	h := eligibility.Household{
		Region:         regions[rng.IntN(len(regions))],
		Area:           []eligibility.Area{eligibility.Urban, eligibility.Rural}[rng.IntN(2)],
		CurrentProgram: []eligibility.CurrentProgram{eligibility.CurrentNone, eligibility.CurrentDibao, eligibility.CurrentTekun, eligibility.CurrentLowIncome}[rng.IntN(4)],
		SuddenHardship: rng.IntN(4) == 0,
	}
	if rng.IntN(2) == 0 {
		h.MonthlyRigidExpenses = float64(rng.IntN(1500))
	}
	if rng.IntN(3) == 0 {
		h.MonthlyEmploymentCosts = float64(rng.IntN(400))
	}
	if h.SuddenHardship {
		h.SuddenExpense = float64(rng.IntN(6000))
	}
	n := 1 + rng.IntN(6)
	for i := 0; i < n; i++ {
		m := eligibility.NewMember(rng.IntN(95))
		if rng.IntN(3) > 0 {
			m.MonthlyIncome = float64(rng.IntN(2500))
		}
		m.Employed = rng.IntN(2) == 0
		m.LaborCapacity = []eligibility.Labor{eligibility.LaborFull, eligibility.LaborFull, eligibility.LaborPartial, eligibility.LaborNone}[rng.IntN(4)]
		m.Disability = []eligibility.Disability{eligibility.DisabilityNone, eligibility.DisabilityNone, eligibility.DisabilityMild, eligibility.DisabilityModerate, eligibility.DisabilitySevere}[rng.IntN(5)]
		m.SeriousIllness = rng.IntN(6) == 0
		m.Student = rng.IntN(5) == 0
		m.Caregiving = rng.IntN(6) == 0
		m.Supporters = []eligibility.Supporters{eligibility.SupportersAble, eligibility.SupportersUnable, eligibility.SupportersNone}[rng.IntN(3)]
		h.Members = append(h.Members, m)
	}
	return h
}

func verdicts(r eligibility.Result) map[eligibility.Program]eligibility.Verdict {
	out := map[eligibility.Program]eligibility.Verdict{}
	for _, p := range r.Programs {
		out[p.Program] = p.Verdict
	}
	return out
}

func TestPropertyMoreIncomeNeverNewlyEligible(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		h := randomHousehold(rng)
		require.NoError(t, h.Validate())
		before := verdicts(eligibility.Check(h, ""))
		richer := h
		richer.Members = append([]eligibility.Member{}, h.Members...)
		richer.Members[rng.IntN(len(h.Members))].MonthlyIncome += float64(1 + rng.IntN(2000))
		after := verdicts(eligibility.Check(richer, ""))
		for _, p := range []eligibility.Program{eligibility.Dibao, eligibility.Tekun} {
			if before[p] != eligibility.Eligible {
				require.NotEqual(t, eligibility.Eligible, after[p], "case %d: %s newly eligible with more income: %+v", i, p, richer)
			}
		}
		union := func(v map[eligibility.Program]eligibility.Verdict) bool {
			return v[eligibility.Dibao] == eligibility.Eligible || v[eligibility.DibaoExpenditure] == eligibility.Eligible
		}
		if !union(before) {
			require.False(t, union(after), "case %d: dibao or expenditure dibao newly eligible with more income", i)
		}
	}
}

func TestPropertyRigidExpenseNeverRemovesDibao(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		h := randomHousehold(rng)
		before := verdicts(eligibility.Check(h, ""))
		more := h
		more.MonthlyRigidExpenses += float64(1 + rng.IntN(1500))
		after := verdicts(eligibility.Check(more, ""))
		if before[eligibility.Dibao] == eligibility.Eligible || before[eligibility.DibaoExpenditure] == eligibility.Eligible {
			require.True(t, after[eligibility.Dibao] == eligibility.Eligible || after[eligibility.DibaoExpenditure] == eligibility.Eligible,
				"case %d: rigid expense removed dibao: %+v", i, more)
		}
	}
}

func TestPropertyMemberOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		h := randomHousehold(rng)
		perm := rng.Perm(len(h.Members)) // new position j holds old member perm[j]
		shuffled := h
		shuffled.Members = make([]eligibility.Member, len(h.Members))
		newIndex := make([]int, len(h.Members))
		for j, old := range perm {
			shuffled.Members[j] = h.Members[old]
			newIndex[old] = j
		}
		a, b := eligibility.Check(h, ""), eligibility.Check(shuffled, "")
		require.Equal(t, a.PerCapita, b.PerCapita, "case %d", i)
		for k := range a.Programs {
			pa, pb := a.Programs[k], b.Programs[k]
			require.Equal(t, pa.Verdict, pb.Verdict, "case %d %s", i, pa.Program)
			require.Equal(t, pa.Figures, pb.Figures)
			mapped := map[int]bool{}
			for _, m := range pa.Members {
				mapped[newIndex[m]] = true
			}
			got := map[int]bool{}
			for _, m := range pb.Members {
				got[m] = true
			}
			require.Equal(t, mapped, got, "case %d %s members", i, pa.Program)
		}
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "eval", "households", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var c struct {
			Household json.RawMessage `json:"household"`
		}
		if json.Unmarshal(b, &c) == nil {
			f.Add([]byte(c.Household))
		}
	}
	f.Add([]byte(`{"region":"qinghai-2021","area":"urban","members":[{"age":0}]}`))
	f.Add([]byte(`{"region":{"base":"gongxian-2020","phaseout_months":{"max":null}},"area":"rural","current_program":"dibao","members":[{"age":59,"monthly_income":1e8}]}`))
	f.Add([]byte(`{"region":"guizhou-2020","area":"rural","members":[{"age":130,"monthly_income":0.001}],"sudden_hardship":true,"sudden_expense":3000}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := eligibility.DecodeBytes(in)
		if err != nil {
			var ie *eligibility.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is %T, want *InputError: %v", err, err)
			}
			return
		}
		if err := h.Validate(); err != nil {
			t.Fatalf("decoded household does not validate: %v", err)
		}
		r := eligibility.Check(h, "")
		if len(r.Programs) != len(eligibility.Programs) {
			t.Fatalf("%d programs, want %d", len(r.Programs), len(eligibility.Programs))
		}
		for i, p := range r.Programs {
			if p.Program != eligibility.Programs[i] || len(p.Reasons) == 0 || len(p.Citations) == 0 {
				t.Fatalf("program %d incomplete: %+v", i, p)
			}
			switch p.Verdict {
			case eligibility.Eligible, eligibility.NotEligible, eligibility.Refer:
			default:
				t.Fatalf("bad verdict %q", p.Verdict)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal result: %v", err)
		}
		_ = r.Text()
	})
}
