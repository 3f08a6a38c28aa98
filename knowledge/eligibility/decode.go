package eligibility

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Limits on input. Money above maxMoney is certainly a typo (a household
// does not earn a hundred million yuan a month) and would only risk
// overflowing sums.
const (
	MaxMembers = 30
	MaxAge     = 130
	maxMoney   = 1e8
)

// InputError is bad input. Field is the path of the offending value in the
// household JSON ("members[0].age", "region.dibao_standard_monthly.rural",
// "pets"); Msg says what is wrong in plain Chinese.
type InputError struct {
	Field string
	Msg   string
	cause error // what the JSON reader reported, if anything
}

func (e *InputError) Unwrap() error { return e.cause }

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func inputErr(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Decode reads one household JSON document strictly: every field is
// checked against household.schema.json, nothing unknown is accepted and
// nothing is guessed. Errors are *InputError.
func Decode(r io.Reader) (Household, error) { return DecodeIn(r, BundledRegions()) }

// DecodeIn is Decode resolving region ids against set: the bureau's
// profiles in force on the day asked (Store.InForce).
func DecodeIn(r io.Reader, set RegionSet) (Household, error) {
	raw, err := readJSON(r, "")
	if err != nil {
		return Household{}, err
	}
	return decodeHousehold(raw, set)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(b []byte) (Household, error) { return Decode(bytes.NewReader(b)) }

// readJSON parses exactly one JSON value, keeping numbers exact.
func readJSON(r io.Reader, field string) (any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, inputErr(field, "内容为空，需要一个 JSON 对象")
		}
		ie := inputErr(field, "不是有效的 JSON：%v", err)
		ie.cause = err
		return nil, ie
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		ie := inputErr(field, "JSON 对象后面还有多余的内容")
		ie.cause = err
		return nil, ie
	}
	return v, nil
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func index(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "布尔值"
	case json.Number:
		return "数字"
	case string:
		return "文字"
	case []any:
		return "数组"
	case map[string]any:
		return "对象"
	}
	return fmt.Sprintf("%T", v)
}

// object checks that v is an object whose keys are all known.
func object(v any, field string, known ...string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, inputErr(field, "应为对象，实际是%s", typeName(v))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(known, k) {
			return nil, inputErr(join(field, k), "不认识的字段（可用字段：%s）", strings.Join(known, ", "))
		}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func number(v any, field string) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, inputErr(field, "应为数字，实际是%s", typeName(v))
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, inputErr(field, "数字 %s 超出范围", n.String())
	}
	return f, nil
}

func money(v any, field string) (float64, error) {
	f, err := number(v, field)
	if err != nil {
		return 0, err
	}
	if f < 0 {
		return 0, inputErr(field, "金额不能是负数（%s）", fmtYuan(f))
	}
	if f > maxMoney {
		return 0, inputErr(field, "金额 %s 过大，请检查是否多写了位数", fmtYuan(f))
	}
	return f, nil
}

func integer(v any, field string, min, max int) (int, error) {
	f, err := number(v, field)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, inputErr(field, "应为整数，实际是 %v", f)
	}
	if f < float64(min) || f > float64(max) {
		return 0, inputErr(field, "应在 %d 到 %d 之间，实际是 %v", min, max, f)
	}
	return int(f), nil
}

func boolean(v any, field string) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, inputErr(field, "应为 true 或 false，实际是%s", typeName(v))
	}
	return b, nil
}

func str(v any, field string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", inputErr(field, "应为文字，实际是%s", typeName(v))
	}
	return s, nil
}

func enum(v any, field string, allowed ...string) (string, error) {
	s, err := str(v, field)
	if err != nil {
		return "", err
	}
	if !contains(allowed, s) {
		return "", inputErr(field, "取值 %q 无效，只能是 %s", s, strings.Join(allowed, "、"))
	}
	return s, nil
}

var householdFields = []string{"region", "area", "members", "monthly_rigid_expenses",
	"monthly_employment_costs", "current_program", "sudden_hardship", "sudden_expense"}

var memberFields = []string{"relation", "age", "monthly_income", "employed", "labor_capacity",
	"disability", "serious_illness", "student", "caregiving", "supporters"}

func decodeHousehold(raw any, set RegionSet) (Household, error) {
	var h Household
	m, err := object(raw, "", householdFields...)
	if err != nil {
		if ie := (*InputError)(nil); errors.As(err, &ie) && ie.Field == "" {
			ie.Msg = "整个输入" + ie.Msg
		}
		return h, err
	}
	for _, k := range []string{"region", "area", "members"} {
		if _, ok := m[k]; !ok {
			return h, inputErr(k, "缺少必填字段")
		}
	}
	if h.Region, err = resolveRegion(m["region"], "region", set); err != nil {
		return h, err
	}
	area, err := enum(m["area"], "area", string(Urban), string(Rural))
	if err != nil {
		return h, err
	}
	h.Area = Area(area)

	list, ok := m["members"].([]any)
	if !ok {
		return h, inputErr("members", "应为数组，实际是%s", typeName(m["members"]))
	}
	if len(list) == 0 {
		return h, inputErr("members", "至少要有一位家庭成员")
	}
	if len(list) > MaxMembers {
		return h, inputErr("members", "最多 %d 位家庭成员，实际 %d 位", MaxMembers, len(list))
	}
	for i, rm := range list {
		mem, err := decodeMember(rm, index("members", i))
		if err != nil {
			return h, err
		}
		h.Members = append(h.Members, mem)
	}

	h.CurrentProgram = CurrentNone
	for _, k := range householdFields[3:] {
		v, ok := m[k]
		if !ok {
			continue
		}
		switch k {
		case "monthly_rigid_expenses":
			h.MonthlyRigidExpenses, err = money(v, k)
		case "monthly_employment_costs":
			h.MonthlyEmploymentCosts, err = money(v, k)
		case "sudden_expense":
			h.SuddenExpense, err = money(v, k)
		case "sudden_hardship":
			h.SuddenHardship, err = boolean(v, k)
		case "current_program":
			var s string
			s, err = enum(v, k, string(CurrentNone), string(CurrentDibao), string(CurrentTekun), string(CurrentLowIncome))
			h.CurrentProgram = CurrentProgram(s)
		}
		if err != nil {
			return h, err
		}
	}
	return h, nil
}

func decodeMember(raw any, field string) (Member, error) {
	m, err := object(raw, field, memberFields...)
	if err != nil {
		return Member{}, err
	}
	av, ok := m["age"]
	if !ok {
		return Member{}, inputErr(join(field, "age"), "缺少必填字段（年龄）")
	}
	age, err := integer(av, join(field, "age"), 0, MaxAge)
	if err != nil {
		return Member{}, err
	}
	mem := NewMember(age)
	for _, k := range memberFields {
		v, ok := m[k]
		if !ok || k == "age" {
			continue
		}
		f := join(field, k)
		var s string
		switch k {
		case "relation":
			mem.Relation, err = str(v, f)
		case "monthly_income":
			mem.MonthlyIncome, err = money(v, f)
		case "employed":
			mem.Employed, err = boolean(v, f)
		case "serious_illness":
			mem.SeriousIllness, err = boolean(v, f)
		case "student":
			mem.Student, err = boolean(v, f)
		case "caregiving":
			mem.Caregiving, err = boolean(v, f)
		case "labor_capacity":
			s, err = enum(v, f, string(LaborFull), string(LaborPartial), string(LaborNone))
			mem.LaborCapacity = Labor(s)
		case "disability":
			s, err = enum(v, f, string(DisabilityNone), string(DisabilityMild), string(DisabilityModerate), string(DisabilitySevere))
			mem.Disability = Disability(s)
		case "supporters":
			s, err = enum(v, f, string(SupportersAble), string(SupportersUnable), string(SupportersNone))
			mem.Supporters = Supporters(s)
		}
		if err != nil {
			return Member{}, err
		}
	}
	return mem, nil
}

// Validate checks a household built in code (the wizard, tests) against the
// same limits Decode enforces.
func (h Household) Validate() error {
	if err := h.Region.validate("region"); err != nil {
		return err
	}
	if h.Area != Urban && h.Area != Rural {
		return inputErr("area", "取值 %q 无效，只能是 urban、rural", h.Area)
	}
	if len(h.Members) == 0 {
		return inputErr("members", "至少要有一位家庭成员")
	}
	if len(h.Members) > MaxMembers {
		return inputErr("members", "最多 %d 位家庭成员，实际 %d 位", MaxMembers, len(h.Members))
	}
	for i, m := range h.Members {
		f := index("members", i)
		if m.Age < 0 || m.Age > MaxAge {
			return inputErr(f+".age", "应在 0 到 %d 之间，实际是 %d", MaxAge, m.Age)
		}
		if err := checkMoney(m.MonthlyIncome, f+".monthly_income"); err != nil {
			return err
		}
		switch {
		case m.LaborCapacity != LaborFull && m.LaborCapacity != LaborPartial && m.LaborCapacity != LaborNone:
			return inputErr(f+".labor_capacity", "取值 %q 无效", m.LaborCapacity)
		case m.Disability != DisabilityNone && m.Disability != DisabilityMild && m.Disability != DisabilityModerate && m.Disability != DisabilitySevere:
			return inputErr(f+".disability", "取值 %q 无效", m.Disability)
		case m.Supporters != SupportersAble && m.Supporters != SupportersUnable && m.Supporters != SupportersNone:
			return inputErr(f+".supporters", "取值 %q 无效", m.Supporters)
		}
	}
	for _, c := range []struct {
		v float64
		f string
	}{{h.MonthlyRigidExpenses, "monthly_rigid_expenses"}, {h.MonthlyEmploymentCosts, "monthly_employment_costs"}, {h.SuddenExpense, "sudden_expense"}} {
		if err := checkMoney(c.v, c.f); err != nil {
			return err
		}
	}
	switch h.CurrentProgram {
	case CurrentNone, CurrentDibao, CurrentTekun, CurrentLowIncome:
	default:
		return inputErr("current_program", "取值 %q 无效", h.CurrentProgram)
	}
	return nil
}

func checkMoney(v float64, field string) error {
	if math.IsNaN(v) || v < 0 || v > maxMoney {
		return inputErr(field, "金额 %v 无效，应在 0 到 %s 之间", v, fmtYuan(maxMoney))
	}
	return nil
}

// MarshalJSON writes the household as valid input JSON (the region inline,
// without its sources), so a household built by the wizard can be saved
// and checked again with `safetynet check`.
func (h Household) MarshalJSON() ([]byte, error) {
	type plain Household
	p := plain(h)
	p.Region.Sources = nil
	return json.Marshal(p)
}
