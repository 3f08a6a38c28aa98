package eligibility

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Profile holds the parameters of one region. Numbers that differ between
// places live here, never in code; each carries its source in Sources.
type Profile struct {
	ID                   string            `json:"id,omitempty"`
	Name                 string            `json:"name,omitempty"`
	DibaoStandardMonthly Standards         `json:"dibao_standard_monthly"`
	LowIncomeMultiplier  float64           `json:"low_income_multiplier"`
	PhaseoutCapMultiple  float64           `json:"phaseout_cap_multiplier"`
	PhaseoutMonths       MonthsRange       `json:"phaseout_months"`
	MinWageMonthly       float64           `json:"min_wage_monthly"`
	WorkingAge           AgeRange          `json:"working_age"`
	ElderlyAge           int               `json:"elderly_age"`
	TekunMinorAge        int               `json:"tekun_minor_age"`
	TemporaryTownLimit   float64           `json:"temporary_town_limit"`
	Sources              map[string]Source `json:"sources,omitempty"`
}

// Standards are the local minimum living standards, yuan per person a month.
type Standards struct {
	Urban float64 `json:"urban"`
	Rural float64 `json:"rural"`
}

// MonthsRange is the phase-out period; Max nil means open-ended.
type MonthsRange struct {
	Min int  `json:"min"`
	Max *int `json:"max"`
}

// AgeRange is an inclusive range of whole years.
type AgeRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Source says where a parameter comes from: a corpus document and section,
// or Example when the documents give no figure and the bureau must set it.
type Source struct {
	Doc     string `json:"doc,omitempty"`
	Section string `json:"section,omitempty"`
	Example bool   `json:"example,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Standard is S for the given area.
func (p Profile) Standard(a Area) float64 {
	if a == Urban {
		return p.DibaoStandardMonthly.Urban
	}
	return p.DibaoStandardMonthly.Rural
}

// regionParams are the parameters a profile must have, in the order they
// are checked; nested ones are written with a dot.
var regionParams = []string{
	"dibao_standard_monthly.urban", "dibao_standard_monthly.rural",
	"low_income_multiplier", "phaseout_cap_multiplier",
	"phaseout_months.min", "phaseout_months.max",
	"min_wage_monthly", "working_age.min", "working_age.max",
	"elderly_age", "tekun_minor_age", "temporary_town_limit",
}

var regionFields = []string{"base", "id", "name", "dibao_standard_monthly", "low_income_multiplier",
	"phaseout_cap_multiplier", "phaseout_months", "min_wage_monthly", "working_age",
	"elderly_age", "tekun_minor_age", "temporary_town_limit"}

//go:embed regions/*.json
var regionFiles embed.FS

type builtin struct {
	profile Profile
	raw     map[string]any // parameters as read, for merging overrides
	// effectiveFrom is the document's "effective_from" (YYYY-MM-DD), ""
	// when it has none.
	effectiveFrom string
}

var builtins = mustLoadRegions(regionFiles)

// mustLoadRegions panics on a bad embedded file: that is a build defect,
// caught by the package tests, never a runtime condition.
func mustLoadRegions(fsys fs.FS) map[string]builtin {
	out, err := loadRegions(fsys)
	if err != nil {
		panic(err)
	}
	return out
}

func loadRegions(fsys fs.FS) (map[string]builtin, error) {
	names, err := fs.Glob(fsys, "regions/*.json")
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	out := map[string]builtin{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		r, err := parseRegion(b, name)
		if err != nil {
			return nil, fmt.Errorf("region file: %w", err)
		}
		id := strings.TrimSuffix(path.Base(name), ".json")
		if r.profile.ID != id {
			return nil, fmt.Errorf("region file %s: id %q must match the file name", name, r.profile.ID)
		}
		out[id] = r
	}
	return out, nil
}

// parseRegion reads one complete profile document — parameters, "sources"
// for every parameter, and optionally "effective_from" — as bundled files,
// `region import` and the console give it. name labels errors.
func parseRegion(b []byte, name string) (builtin, error) {
	raw, err := readJSON(bytes.NewReader(b), name)
	if err != nil {
		return builtin{}, err
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return builtin{}, fmt.Errorf("%s: not an object", name)
	}
	var sources map[string]Source
	if s, ok := m["sources"]; ok {
		sb, _ := json.Marshal(s)
		dec := json.NewDecoder(bytes.NewReader(sb))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sources); err != nil {
			return builtin{}, fmt.Errorf("%s: sources: %w", name, err)
		}
		delete(m, "sources")
	}
	var from string
	if v, ok := m["effective_from"]; ok {
		if from, ok = v.(string); !ok {
			return builtin{}, fmt.Errorf("%s: effective_from: want a date YYYY-MM-DD", name)
		}
		if _, err := time.Parse(time.DateOnly, from); err != nil {
			return builtin{}, fmt.Errorf("%s: effective_from: %q is not a date YYYY-MM-DD", name, from)
		}
		delete(m, "effective_from")
	}
	p, err := profileFrom(m, name)
	if err != nil {
		return builtin{}, err
	}
	if p.ID == "" {
		return builtin{}, fmt.Errorf("%s: id: a region needs an id", name)
	}
	for _, param := range regionParams {
		s, ok := sources[param]
		if !ok || (!s.Example && (s.Doc == "" || s.Section == "")) {
			return builtin{}, fmt.Errorf("%s: sources.%s: need {doc, section} or {example: true}", name, param)
		}
	}
	p.Sources = sources
	return builtin{profile: p, raw: m, effectiveFrom: from}, nil
}

// RegionSet is the profiles a pre-check resolves region ids against: the
// bundled ones, or those a bureau keeps in the database, as in force on a
// given day (Store.InForce).
type RegionSet struct{ byID map[string]builtin }

// BundledRegions are the profiles built into the binary, the seed data.
func BundledRegions() RegionSet { return RegionSet{builtins} }

// IDs lists the set's region ids, sorted.
func (s RegionSet) IDs() []string {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Profiles lists the set's profiles, sorted by id.
func (s RegionSet) Profiles() []Profile {
	out := make([]Profile, 0, len(s.byID))
	for _, id := range s.IDs() {
		out = append(out, s.byID[id].profile)
	}
	return out
}

// Profile returns the profile with this id; the error lists the known ids.
func (s RegionSet) Profile(id string) (Profile, error) {
	b, ok := s.byID[id]
	if !ok {
		return Profile{}, fmt.Errorf("region %q: %w (known: %s)", id, ErrUnknownRegion, strings.Join(s.IDs(), ", "))
	}
	return b.profile, nil
}

// Regions lists the built-in region profiles, sorted by id.
func Regions() []Profile { return BundledRegions().Profiles() }

// ErrUnknownRegion is returned by Region for an id with no profile.
var ErrUnknownRegion = errors.New("unknown region")

// Region returns the built-in profile with this id.
func Region(id string) (Profile, error) { return BundledRegions().Profile(id) }

// resolveRegion turns the household's "region" value — an id, a full
// object, or {"base": id, ...overrides} — into a complete profile.
func resolveRegion(v any, field string, set RegionSet) (Profile, error) {
	switch r := v.(type) {
	case string:
		p, err := set.Profile(r)
		if err != nil {
			return Profile{}, inputErr(field, "未知地区 %q（可用：%s）", r, strings.Join(set.IDs(), "、"))
		}
		return p, nil
	case map[string]any:
		m, err := object(r, field, regionFields...)
		if err != nil {
			return Profile{}, err
		}
		merged := map[string]any{}
		var base *builtin
		if bv, ok := m["base"]; ok {
			id, err := str(bv, join(field, "base"))
			if err != nil {
				return Profile{}, err
			}
			b, ok := set.byID[id]
			if !ok {
				return Profile{}, inputErr(join(field, "base"), "未知地区 %q（可用：%s）", id, strings.Join(set.IDs(), "、"))
			}
			base = &b
			merged = deepCopy(b.raw)
			delete(merged, "id")
			delete(merged, "name")
		}
		for k, val := range m {
			if k == "base" {
				continue
			}
			if sub, ok := val.(map[string]any); ok {
				if cur, ok := merged[k].(map[string]any); ok {
					for sk, sv := range sub {
						cur[sk] = sv
					}
					continue
				}
			}
			merged[k] = val
		}
		p, err := profileFrom(merged, field)
		if err != nil {
			return Profile{}, err
		}
		p.Sources = map[string]Source{}
		for _, param := range regionParams {
			if overridden(m, param) || base == nil {
				p.Sources[param] = Source{Note: "由调用方提供"}
			} else {
				p.Sources[param] = base.profile.Sources[param]
			}
		}
		if p.ID == "" {
			if base != nil {
				p.ID = base.profile.ID + "+custom"
				p.Name = base.profile.Name
			} else {
				p.ID = "custom"
			}
		}
		return p, nil
	default:
		return Profile{}, inputErr(field, "应为地区编号（文字）或地区参数（对象），实际是%s", typeName(v))
	}
}

func overridden(m map[string]any, param string) bool {
	top, sub, nested := strings.Cut(param, ".")
	v, ok := m[top]
	if !ok || !nested {
		return ok
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return false
	}
	_, ok = obj[sub]
	return ok
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

// profileFrom validates a complete parameter object (after any merge) and
// names the first missing or bad parameter.
func profileFrom(m map[string]any, field string) (Profile, error) {
	var p Profile
	if _, err := object(m, field, regionFields[1:]...); err != nil {
		return p, err
	}
	get := func(param string) (any, string, error) {
		f := join(field, param)
		top, sub, nested := strings.Cut(param, ".")
		v, ok := m[top]
		if !ok {
			return nil, f, inputErr(f, "缺少地区参数")
		}
		if !nested {
			return v, f, nil
		}
		var obj map[string]any
		var err error
		switch top {
		case "dibao_standard_monthly":
			obj, err = object(v, join(field, top), "urban", "rural")
		default:
			obj, err = object(v, join(field, top), "min", "max")
		}
		if err != nil {
			return nil, f, err
		}
		v, ok = obj[sub]
		if !ok {
			msg := "缺少地区参数"
			if param == "phaseout_months.max" {
				msg += "（不设上限请写 null）"
			}
			return nil, f, inputErr(f, "%s", msg)
		}
		return v, f, nil
	}
	var err error
	if v, ok := m["id"]; ok {
		if p.ID, err = str(v, join(field, "id")); err != nil {
			return p, err
		}
	}
	if v, ok := m["name"]; ok {
		if p.Name, err = str(v, join(field, "name")); err != nil {
			return p, err
		}
	}
	for _, param := range regionParams {
		v, f, err := get(param)
		if err != nil {
			return p, err
		}
		switch param {
		case "dibao_standard_monthly.urban", "dibao_standard_monthly.rural":
			var s float64
			if s, err = money(v, f); err == nil && s <= 0 {
				err = inputErr(f, "低保标准必须大于 0")
			}
			if param == "dibao_standard_monthly.urban" {
				p.DibaoStandardMonthly.Urban = s
			} else {
				p.DibaoStandardMonthly.Rural = s
			}
		case "low_income_multiplier", "phaseout_cap_multiplier":
			var x float64
			if x, err = number(v, f); err == nil && (x < 1 || x > 100) {
				err = inputErr(f, "倍数应在 1 到 100 之间，实际是 %v", x)
			}
			if param == "low_income_multiplier" {
				p.LowIncomeMultiplier = x
			} else {
				p.PhaseoutCapMultiple = x
			}
		case "phaseout_months.min":
			p.PhaseoutMonths.Min, err = integer(v, f, 0, 1200)
		case "phaseout_months.max":
			if v != nil {
				var x int
				if x, err = integer(v, f, 0, 1200); err == nil && x < p.PhaseoutMonths.Min {
					err = inputErr(f, "不能小于 phaseout_months.min（%d）", p.PhaseoutMonths.Min)
				}
				p.PhaseoutMonths.Max = &x
			}
		case "min_wage_monthly":
			p.MinWageMonthly, err = money(v, f)
		case "temporary_town_limit":
			p.TemporaryTownLimit, err = money(v, f)
		case "working_age.min":
			p.WorkingAge.Min, err = integer(v, f, 0, MaxAge)
		case "working_age.max":
			if p.WorkingAge.Max, err = integer(v, f, 0, MaxAge); err == nil && p.WorkingAge.Max < p.WorkingAge.Min {
				err = inputErr(f, "不能小于 working_age.min（%d）", p.WorkingAge.Min)
			}
		case "elderly_age":
			p.ElderlyAge, err = integer(v, f, 0, MaxAge)
		case "tekun_minor_age":
			p.TekunMinorAge, err = integer(v, f, 0, MaxAge)
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// validate checks a profile built in code against the same limits.
func (p Profile) validate(field string) error {
	b, err := json.Marshal(p.withoutSources())
	if err != nil {
		return fmt.Errorf("encode region: %w", err)
	}
	raw, err := readJSON(bytes.NewReader(b), field)
	if err != nil {
		return err
	}
	m := raw.(map[string]any)
	if p.ID == "" {
		delete(m, "id")
	}
	_, err = profileFrom(m, field)
	return err
}

func (p Profile) withoutSources() Profile {
	p.Sources = nil
	return p
}
