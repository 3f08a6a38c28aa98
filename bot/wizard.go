package bot

import (
	"context"
	"fmt"
	"unicode/utf8"
)

const modeWizard = "wizard"

func (e *Engine) startWizard(ctx context.Context, t *turnState) error {
	if e.wizard == nil {
		t.say(e.msg(t.lang, "check_off"))
		return nil
	}
	if !e.qaEnabled(ctx) {
		t.say(e.msg(t.lang, "unavailable"))
		return nil
	}
	state, p, err := e.wizard.Start(ctx)
	if err != nil {
		return fmt.Errorf("start wizard: %w", err)
	}
	t.st.Mode, t.st.Wizard = modeWizard, state
	e.prompt(t, p, true)
	return nil
}

func (e *Engine) wizardStep(ctx context.Context, t *turnState, input string) error {
	if e.wizard == nil {
		t.st.Mode, t.st.Wizard = "", nil
		t.say(e.msg(t.lang, "check_off"))
		return nil
	}
	if e.wizard.Cancels(input) {
		t.st.Mode, t.st.Wizard = "", nil
		t.say(e.msg(t.lang, "cancelled"))
		return nil
	}
	next, p, done, err := e.wizard.Step(ctx, t.st.Wizard, input)
	if err != nil {
		// A state from an older wizard the code cannot continue: start
		// over rather than leave the resident stuck.
		e.log.Warn("bot: wizard step failed; restarting", "err", err)
		return e.startWizard(ctx, t)
	}
	if done {
		t.st.Mode, t.st.Wizard = "", nil
		text := p.Text + "\n\n" + e.msg(t.lang, "check_done")
		if note := e.chineseNote(t.lang); note != "" && t.lang != LangUyghur {
			text = note + "\n\n" + text
		}
		t.say(text, []Button{{Text: e.msg(t.lang, "btn_contact"), Data: "c"}})
		return nil
	}
	t.st.Wizard = next
	e.prompt(t, p, false)
	return nil
}

// prompt shows a wizard step: its choices as buttons, two to a row when
// they are short so old eyes find them, one to a row otherwise.
func (e *Engine) prompt(t *turnState, p Prompt, first bool) {
	text := p.Text
	if first {
		if note := e.chineseNote(t.lang); note != "" && t.lang != LangUyghur {
			text = note + "\n\n" + text
		}
	}
	if first && t.lang == LangEN {
		text += "\n" + e.msg(t.lang, "wizard_hint")
	}
	short := true
	for _, c := range p.Choices {
		if utf8.RuneCountInString(c.Label) > 6 {
			short = false
		}
	}
	var rows [][]Button
	for i, c := range p.Choices {
		b := Button{Text: c.Label, Data: "w:" + c.Value}
		if short && i%2 == 1 {
			rows[len(rows)-1] = append(rows[len(rows)-1], b)
			continue
		}
		rows = append(rows, []Button{b})
	}
	t.say(text, rows...)
}
