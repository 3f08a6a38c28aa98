package bot

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// EligibilityWizard drives the eligibility package's pre-check wizard.
type EligibilityWizard struct {
	W *eligibility.Wizard
}

// Start implements Wizard.
func (a EligibilityWizard) Start() ([]byte, Prompt, error) {
	st, p := a.W.Start()
	b, err := json.Marshal(st)
	if err != nil {
		return nil, Prompt{}, fmt.Errorf("wizard state: %w", err)
	}
	return b, prompt(p), nil
}

// Step implements Wizard.
func (a EligibilityWizard) Step(state []byte, input string) ([]byte, Prompt, bool, error) {
	var st eligibility.WizardState
	if err := json.Unmarshal(state, &st); err != nil {
		return a.restart()
	}
	ns, p, res, err := a.W.Step(st, input)
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

// Label implements Wizard: the current question's choices, read again.
func (a EligibilityWizard) Label(state []byte, value string) string {
	var st eligibility.WizardState
	if json.Unmarshal(state, &st) != nil {
		return value
	}
	p, err := a.W.Resume(st)
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

func (a EligibilityWizard) restart() ([]byte, Prompt, bool, error) {
	b, p, err := a.Start()
	return b, p, false, err
}

func prompt(p eligibility.Prompt) Prompt {
	out := Prompt{Text: p.Text}
	for _, c := range p.Choices {
		out.Choices = append(out.Choices, Choice{Label: c.Label, Value: c.Value})
	}
	return out
}
