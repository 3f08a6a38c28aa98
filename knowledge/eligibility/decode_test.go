package eligibility_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

const testRegion = `{"id":"t","dibao_standard_monthly":{"urban":600,"rural":375},"low_income_multiplier":2,
"phaseout_cap_multiplier":2,"phaseout_months":{"min":3,"max":12},"min_wage_monthly":1570,
"working_age":{"min":16,"max":59},"elderly_age":60,"tekun_minor_age":18,"temporary_town_limit":3000}`

func TestDecodeRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, field string
	}{
		{"unknown top field", `{"region":"guizhou-2020","area":"rural","members":[{"age":30}],"pets":2}`, "pets"},
		{"unknown member field", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"name":"x"}]}`, "members[0].name"},
		{"negative income", `{"region":"guizhou-2020","area":"rural","members":[{"age":30},{"age":3,"monthly_income":-5}]}`, "members[1].monthly_income"},
		{"no members", `{"region":"guizhou-2020","area":"rural","members":[]}`, "members"},
		{"members not array", `{"region":"guizhou-2020","area":"rural","members":{}}`, "members"},
		{"missing members", `{"region":"guizhou-2020","area":"rural"}`, "members"},
		{"missing area", `{"region":"guizhou-2020","members":[{"age":1}]}`, "area"},
		{"missing region", `{"area":"rural","members":[{"age":1}]}`, "region"},
		{"age over 130", `{"region":"guizhou-2020","area":"rural","members":[{"age":131}]}`, "members[0].age"},
		{"age negative", `{"region":"guizhou-2020","area":"rural","members":[{"age":-1}]}`, "members[0].age"},
		{"age fractional", `{"region":"guizhou-2020","area":"rural","members":[{"age":30.5}]}`, "members[0].age"},
		{"age string", `{"region":"guizhou-2020","area":"rural","members":[{"age":"30"}]}`, "members[0].age"},
		{"age missing", `{"region":"guizhou-2020","area":"rural","members":[{"monthly_income":3}]}`, "members[0].age"},
		{"income string", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"monthly_income":"500"}]}`, "members[0].monthly_income"},
		{"income huge", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"monthly_income":1e300}]}`, "members[0].monthly_income"},
		{"income overflow", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"monthly_income":1e400}]}`, "members[0].monthly_income"},
		{"employed not bool", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"employed":"yes"}]}`, "members[0].employed"},
		{"bad labor", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"labor_capacity":"some"}]}`, "members[0].labor_capacity"},
		{"bad disability", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"disability":"heavy"}]}`, "members[0].disability"},
		{"bad supporters", `{"region":"guizhou-2020","area":"rural","members":[{"age":30,"supporters":null}]}`, "members[0].supporters"},
		{"bad area", `{"region":"guizhou-2020","area":"suburban","members":[{"age":30}]}`, "area"},
		{"unknown region", `{"region":"atlantis","area":"rural","members":[{"age":30}]}`, "region"},
		{"region number", `{"region":5,"area":"rural","members":[{"age":30}]}`, "region"},
		{"unknown base", `{"region":{"base":"atlantis"},"area":"rural","members":[{"age":30}]}`, "region.base"},
		{"bad current program", `{"region":"guizhou-2020","area":"rural","current_program":"welfare","members":[{"age":30}]}`, "current_program"},
		{"negative rigid", `{"region":"guizhou-2020","area":"rural","monthly_rigid_expenses":-1,"members":[{"age":30}]}`, "monthly_rigid_expenses"},
		{"negative employment", `{"region":"guizhou-2020","area":"rural","monthly_employment_costs":-1,"members":[{"age":30}]}`, "monthly_employment_costs"},
		{"negative sudden", `{"region":"guizhou-2020","area":"rural","sudden_expense":-1,"members":[{"age":30}]}`, "sudden_expense"},
		{"hardship not bool", `{"region":"guizhou-2020","area":"rural","sudden_hardship":1,"members":[{"age":30}]}`, "sudden_hardship"},
		{"region standard negative", `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"rural":-1}},"area":"rural","members":[{"age":30}]}`, "region.dibao_standard_monthly.rural"},
		{"region standard zero", `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"urban":0}},"area":"rural","members":[{"age":30}]}`, "region.dibao_standard_monthly.urban"},
		{"region unknown param", `{"region":{"base":"guizhou-2020","pension":3},"area":"rural","members":[{"age":30}]}`, "region.pension"},
		{"region unknown nested", `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"town":3}},"area":"rural","members":[{"age":30}]}`, "region.dibao_standard_monthly.town"},
		{"region missing param", `{"region":{"dibao_standard_monthly":{"urban":600,"rural":375}},"area":"rural","members":[{"age":30}]}`, "region.low_income_multiplier"},
		{"region missing nested", `{"region":{"dibao_standard_monthly":{"urban":600}},"area":"rural","members":[{"age":30}]}`, "region.dibao_standard_monthly.rural"},
		{"region multiplier below 1", `{"region":{"base":"qinghai-2021","low_income_multiplier":0.5},"area":"rural","members":[{"age":30}]}`, "region.low_income_multiplier"},
		{"region months fractional", `{"region":{"base":"qinghai-2021","phaseout_months":{"min":1.5}},"area":"rural","members":[{"age":30}]}`, "region.phaseout_months.min"},
		{"region max below min", `{"region":{"base":"gongxian-2020","phaseout_months":{"min":6,"max":3}},"area":"rural","members":[{"age":30}]}`, "region.phaseout_months.max"},
		{"region working age reversed", `{"region":{"base":"gongxian-2020","working_age":{"min":60,"max":16}},"area":"rural","members":[{"age":30}]}`, "region.working_age.max"},
		{"region sources not accepted inline", `{"region":{"base":"gongxian-2020","sources":{}},"area":"rural","members":[{"age":30}]}`, "region.sources"},
		{"not an object", `[1,2]`, ""},
		{"trailing data", `{"region":"guizhou-2020","area":"rural","members":[{"age":30}]} {}`, ""},
		{"empty", ``, ""},
	}
	many := `{"region":"guizhou-2020","area":"rural","members":[`
	for i := 0; i < 31; i++ {
		if i > 0 {
			many += ","
		}
		many += `{"age":30}`
	}
	cases = append(cases, struct{ name, in, field string }{"31 members", many + `]}`, "members"})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := eligibility.DecodeBytes([]byte(c.in))
			require.Error(t, err)
			var ie *eligibility.InputError
			require.True(t, errors.As(err, &ie), "%T %v", err, err)
			require.Equal(t, c.field, ie.Field, ie.Msg)
			require.NotEmpty(t, ie.Msg)
		})
	}
}

func TestDecodeDefaultsAndRegions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in  string
		regionID  string
		S         float64
		months    [2]any
		townLimit float64
	}{
		{"builtin id", `{"region":"guizhou-2020","area":"rural","members":[{"age":30}]}`, "guizhou-2020", 375, [2]any{3, 12}, 3000},
		{"qinghai open phaseout", `{"region":"qinghai-2021","area":"rural","members":[{"age":30}]}`, "qinghai-2021", 430, [2]any{12, nil}, 3000},
		{"base with override", `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"rural":400}},"area":"rural","members":[{"age":30}]}`, "guizhou-2020+custom", 400, [2]any{3, 12}, 3000},
		{"base keeps other nested", `{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"rural":400}},"area":"urban","members":[{"age":30}]}`, "guizhou-2020+custom", 620, [2]any{3, 12}, 3000},
		{"base with own id", `{"region":{"base":"gongxian-2020","id":"x-county","temporary_town_limit":2000},"area":"rural","members":[{"age":30}]}`, "x-county", 460, [2]any{3, 12}, 2000},
		{"override max to open", `{"region":{"base":"gongxian-2020","phaseout_months":{"max":null}},"area":"rural","members":[{"age":30}]}`, "gongxian-2020+custom", 460, [2]any{3, nil}, 3000},
		{"inline full", `{"region":` + testRegion + `,"area":"urban","members":[{"age":30}]}`, "t", 600, [2]any{3, 12}, 3000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := eligibility.DecodeBytes([]byte(c.in))
			require.NoError(t, err)
			require.NoError(t, h.Validate())
			require.Equal(t, c.regionID, h.Region.ID)
			require.Equal(t, c.S, h.Region.Standard(h.Area))
			require.Equal(t, c.months[0], h.Region.PhaseoutMonths.Min)
			if c.months[1] == nil {
				require.Nil(t, h.Region.PhaseoutMonths.Max)
			} else {
				require.Equal(t, c.months[1], *h.Region.PhaseoutMonths.Max)
			}
			require.Equal(t, c.townLimit, h.Region.TemporaryTownLimit)
			m := h.Members[0]
			require.Equal(t, eligibility.LaborFull, m.LaborCapacity)
			require.Equal(t, eligibility.DisabilityNone, m.Disability)
			require.Equal(t, eligibility.SupportersAble, m.Supporters)
			require.Equal(t, eligibility.CurrentNone, h.CurrentProgram)

			// A household written out is valid input again and checks the same.
			b, err := json.Marshal(h)
			require.NoError(t, err)
			h2, err := eligibility.DecodeBytes(b)
			require.NoError(t, err, string(b))
			r1, r2 := eligibility.Check(h, ""), eligibility.Check(h2, "")
			for i := range r1.Programs {
				require.Equal(t, r1.Programs[i].Verdict, r2.Programs[i].Verdict)
				require.Equal(t, r1.Programs[i].Members, r2.Programs[i].Members)
				require.Equal(t, r1.Programs[i].Figures, r2.Programs[i].Figures)
			}
		})
	}
}

func TestValidateRefusesBuiltHousehold(t *testing.T) {
	t.Parallel()
	reg, err := eligibility.Region("guizhou-2020")
	require.NoError(t, err)
	ok := eligibility.Household{Region: reg, Area: eligibility.Rural, Members: []eligibility.Member{eligibility.NewMember(30)}, CurrentProgram: eligibility.CurrentNone}
	require.NoError(t, ok.Validate())
	cases := []struct {
		name  string
		edit  func(h *eligibility.Household)
		field string
	}{
		{"no members", func(h *eligibility.Household) { h.Members = nil }, "members"},
		{"age", func(h *eligibility.Household) { h.Members[0].Age = 200 }, "members[0].age"},
		{"income", func(h *eligibility.Household) { h.Members[0].MonthlyIncome = -1 }, "members[0].monthly_income"},
		{"area", func(h *eligibility.Household) { h.Area = "" }, "area"},
		{"labor", func(h *eligibility.Household) { h.Members[0].LaborCapacity = "" }, "members[0].labor_capacity"},
		{"region", func(h *eligibility.Household) { h.Region.DibaoStandardMonthly.Rural = 0 }, "region.dibao_standard_monthly.rural"},
		{"program", func(h *eligibility.Household) { h.CurrentProgram = "x" }, "current_program"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := ok
			h.Members = append([]eligibility.Member{}, ok.Members...)
			c.edit(&h)
			var ie *eligibility.InputError
			require.True(t, errors.As(h.Validate(), &ie))
			require.Equal(t, c.field, ie.Field)
		})
	}
}
