package outreach

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

//go:embed rules.json
var rulesJSON []byte

// RuleSet is when reminders fall due, as data so a region can change its
// own without code: days before next_review_on, days before
// phaseout_ends_on, and how the integrity pledge is chased.
type RuleSet struct {
	ReviewDaysBefore   []int  `json:"review_days_before,omitempty"`
	PhaseoutDaysBefore []int  `json:"phaseout_days_before,omitempty"`
	PledgeEveryDays    int    `json:"pledge_every_days,omitempty"`
	PledgeMaxReminders int    `json:"pledge_max_reminders,omitempty"`
	PledgeRenewMonths  int    `json:"pledge_renew_months,omitempty"`
	Window             string `json:"window,omitempty"` // local "HH:MM-HH:MM"
	// UnacknowledgedAfterDays puts a sent, unacknowledged reminder on the
	// staff follow-up list.
	UnacknowledgedAfterDays int `json:"unacknowledged_after_days,omitempty"`
}

// Rules are the default rule set and per-region overrides; a region's set
// overrides only the fields it names.
type Rules struct {
	Default RuleSet            `json:"default"`
	Regions map[string]RuleSet `json:"regions"`
}

// DefaultRules are the embedded rules (rules.json).
func DefaultRules() (*Rules, error) { return ParseRules(rulesJSON) }

// ParseRules reads rules from JSON and validates them.
func ParseRules(b []byte) (*Rules, error) {
	var r Rules
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("outreach rules: %w", err)
	}
	if err := r.Default.validate("default", true); err != nil {
		return nil, err
	}
	for id, rs := range r.Regions {
		if err := r.For(id).validate("regions."+id, true); err != nil {
			return nil, err
		}
		_ = rs
	}
	return &r, nil
}

// For returns the effective rule set of a region.
func (r *Rules) For(region string) RuleSet {
	out := r.Default
	o, ok := r.Regions[region]
	if !ok {
		return out
	}
	if o.ReviewDaysBefore != nil {
		out.ReviewDaysBefore = o.ReviewDaysBefore
	}
	if o.PhaseoutDaysBefore != nil {
		out.PhaseoutDaysBefore = o.PhaseoutDaysBefore
	}
	if o.PledgeEveryDays != 0 {
		out.PledgeEveryDays = o.PledgeEveryDays
	}
	if o.PledgeMaxReminders != 0 {
		out.PledgeMaxReminders = o.PledgeMaxReminders
	}
	if o.PledgeRenewMonths != 0 {
		out.PledgeRenewMonths = o.PledgeRenewMonths
	}
	if o.Window != "" {
		out.Window = o.Window
	}
	if o.UnacknowledgedAfterDays != 0 {
		out.UnacknowledgedAfterDays = o.UnacknowledgedAfterDays
	}
	return out
}

func (rs RuleSet) validate(where string, full bool) error {
	for _, d := range append(append([]int{}, rs.ReviewDaysBefore...), rs.PhaseoutDaysBefore...) {
		if d < 0 {
			return fmt.Errorf("outreach rules %s: days before must not be negative", where)
		}
	}
	if full && (rs.PledgeEveryDays <= 0 || rs.PledgeMaxReminders <= 0 || rs.PledgeRenewMonths <= 0) {
		return fmt.Errorf("outreach rules %s: pledge_every_days, pledge_max_reminders and pledge_renew_months must be positive", where)
	}
	if _, err := ParseWindow(rs.Window); err != nil {
		return fmt.Errorf("outreach rules %s: %w", where, err)
	}
	return nil
}

// overridden lists regions with their own rules, sorted, for set-based
// derivation: one statement per distinct rule set.
func (r *Rules) overridden() []string {
	ids := make([]string, 0, len(r.Regions))
	for id := range r.Regions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Window is a daily sending window in local time, minutes after midnight;
// Start < End (no window crosses midnight: no messages at night).
type Window struct {
	Start, End int
}

// ParseWindow reads "08:00-20:00".
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	start, err1 := time.Parse("15:04", strings.TrimSpace(a))
	end, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	w := Window{Start: start.Hour()*60 + start.Minute(), End: end.Hour()*60 + end.Minute()}
	if w.Start >= w.End {
		return Window{}, fmt.Errorf("window %q: must start before it ends on the same day", s)
	}
	return w, nil
}

func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// Next returns t if t is inside the window, else the next opening, both in
// loc's wall clock.
func (w Window) Next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	min := lt.Hour()*60 + lt.Minute()
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	switch {
	case min < w.Start:
		return day.Add(time.Duration(w.Start) * time.Minute)
	case min >= w.End:
		return day.AddDate(0, 0, 1).Add(time.Duration(w.Start) * time.Minute)
	default:
		return t
	}
}
