package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// EligibilityWizard drives the eligibility package's pre-check wizard.
type EligibilityWizard struct {
	W *eligibility.Wizard
	// Regions gives the region profiles in force on a day: the bureau's,
	// kept in the database (*eligibility.Store, or RecentRegions over it).
	// It is asked at every step, so an edited standard counts from the
	// next message (within RecentRegions' ttl). nil: the profiles bundled
	// with the binary.
	Regions RegionProfiles
	// TZ is the zone whose date says which profiles are in force (nil: UTC).
	TZ *time.Location
}

// RegionProfiles is where the wizard's region profiles come from
// (*eligibility.Store).
type RegionProfiles interface {
	InForce(ctx context.Context, day time.Time) (eligibility.RegionSet, error)
}

// wizard is a.W working with today's profiles.
func (a EligibilityWizard) wizard(ctx context.Context) (*eligibility.Wizard, error) {
	if a.Regions == nil {
		return a.W, nil
	}
	day, err := eligibility.DayAsked("", a.TZ)
	if err != nil {
		return nil, err
	}
	set, err := a.Regions.InForce(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("wizard regions: %w", err)
	}
	w := *a.W
	w.Regions = set
	return &w, nil
}

// Start implements Wizard.
func (a EligibilityWizard) Start(ctx context.Context) ([]byte, Prompt, error) {
	w, err := a.wizard(ctx)
	if err != nil {
		return nil, Prompt{}, err
	}
	return start(w)
}

func start(w *eligibility.Wizard) ([]byte, Prompt, error) {
	st, p := w.Start()
	b, err := json.Marshal(st)
	if err != nil {
		return nil, Prompt{}, fmt.Errorf("wizard state: %w", err)
	}
	return b, prompt(p), nil
}

// Step implements Wizard.
func (a EligibilityWizard) Step(ctx context.Context, state []byte, input string) ([]byte, Prompt, bool, error) {
	w, err := a.wizard(ctx)
	if err != nil {
		return nil, Prompt{}, false, err
	}
	var st eligibility.WizardState
	if err := json.Unmarshal(state, &st); err != nil {
		b, p, err := start(w)
		return b, p, false, err
	}
	ns, p, res, err := w.Step(st, input)
	if err != nil && !errors.Is(err, eligibility.ErrWizardState) {
		return nil, Prompt{}, false, err
	}
	// On ErrWizardState the wizard has already started afresh and says so.
	b, merr := json.Marshal(ns)
	if merr != nil {
		return nil, Prompt{}, false, fmt.Errorf("wizard state: %w", merr)
	}
	return b, prompt(p), res != nil, nil
}

// Cancels implements Wizard.
func (a EligibilityWizard) Cancels(input string) bool { return eligibility.IsCancel(input) }

// Label implements Wizard: the current question's choices, read again
// with today's profiles (the region question lists them).
func (a EligibilityWizard) Label(ctx context.Context, state []byte, value string) string {
	var st eligibility.WizardState
	if json.Unmarshal(state, &st) != nil {
		return value
	}
	w, err := a.wizard(ctx)
	if err != nil {
		return value
	}
	p, err := w.Resume(st)
	if err != nil {
		return value
	}
	for _, c := range p.Choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

func prompt(p eligibility.Prompt) Prompt {
	out := Prompt{Text: p.Text}
	for _, c := range p.Choices {
		out.Choices = append(out.Choices, Choice{Label: c.Label, Value: c.Value})
	}
	return out
}

// RecentRegions keeps what source said for up to ttl, per day asked, so
// the pre-check does not read the profiles from the database at every
// step of every chat. A standard edited in the console reaches the chats
// within ttl; each process keeps its own copy of data that is the
// database's, so nothing is lost when a process goes.
func RecentRegions(source RegionProfiles, ttl time.Duration) RegionProfiles {
	return &recentRegions{source: source, ttl: ttl}
}

type recentRegions struct {
	source RegionProfiles
	ttl    time.Duration

	mu  sync.Mutex
	day time.Time
	at  time.Time // zero until the first read: never fresh
	set eligibility.RegionSet
}

func (r *recentRegions) InForce(ctx context.Context, day time.Time) (eligibility.RegionSet, error) {
	r.mu.Lock()
	if r.day.Equal(day) && time.Since(r.at) < r.ttl {
		set := r.set
		r.mu.Unlock()
		return set, nil
	}
	r.mu.Unlock()
	// Read outside the lock: a slow database must not queue every chat
	// behind one read; two reads at once are harmless.
	set, err := r.source.InForce(ctx, day)
	if err != nil {
		return eligibility.RegionSet{}, err
	}
	r.mu.Lock()
	r.day, r.at, r.set = day, time.Now(), set
	r.mu.Unlock()
	return set, nil
}
