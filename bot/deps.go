package bot

import (
	"context"
	"errors"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/knowledge"
)

// Answerer answers a policy question from the knowledge base
// (*knowledge.Service).
type Answerer interface {
	Ask(ctx context.Context, question string, opt knowledge.AskOptions) (knowledge.Answer, error)
}

// Prompt is one wizard step as the resident sees it.
type Prompt struct {
	Text    string
	Choices []Choice
}

// Choice is one answer the resident can tap; Value is what Step receives.
type Choice struct {
	Label string
	Value string
}

// Wizard is the eligibility pre-check as a state machine the bot drives one
// input at a time. State is opaque JSON kept in the conversation row, so a
// restart between steps loses nothing.
type Wizard interface {
	Start(ctx context.Context) (state []byte, p Prompt, err error)
	// Step applies the resident's input. When done, p.Text is the result.
	Step(ctx context.Context, state []byte, input string) (next []byte, p Prompt, done bool, err error)
	// Cancels tells whether the input means "stop the check" in the
	// wizard's own words ("不测了", "算了").
	Cancels(input string) bool
	// Label is the words on the button whose value the resident pressed
	// at state's question, so a handoff's transcript shows what they saw
	// ("重度残疾"), not the value ("severe"); the value when unknown.
	// The engine keeps the words of the buttons it shows and asks only
	// when it has none for the press.
	Label(ctx context.Context, state []byte, value string) string
}

// Enrolment is the outreach side: binding a chat to a household with a
// one-time code, and reminders on or off.
type Enrolment interface {
	Bind(ctx context.Context, code string, from chat.Address) (Bound, error)
	OptOut(ctx context.Context, from chat.Address) error
	OptIn(ctx context.Context, from chat.Address) error
	// HandleButton handles a pressed reminder button (data starts "o:").
	HandleButton(ctx context.Context, from chat.Address, data string) (ButtonOutcome, error)
	// Acknowledge records that the latest reminder was read (the 知晓
	// keyword, where reminders carry no buttons). ErrNotBound, or
	// ErrNothingToAcknowledge.
	Acknowledge(ctx context.Context, from chat.Address) (ButtonOutcome, error)
	// IsCode tells whether a text typed alone is a binding code.
	IsCode(text string) bool
}

// Bound is what a resident is told after binding: enough to recognise
// their household, nothing more (the name comes masked).
type Bound struct {
	NameMasked  string
	ProgramName string
}

// ButtonOutcome is what a reminder button press leads to.
type ButtonOutcome struct {
	Reply        string
	WantsContact bool // the resident asked for a person: open a ticket
}

// Errors an Enrolment returns for a bad code; adapters map theirs to these.
var (
	ErrCodeInvalid = errors.New("binding code invalid")
	ErrCodeExpired = errors.New("binding code expired")
	ErrCodeUsed    = errors.New("binding code already used")
	// ErrNotBound means the chat is bound to no household.
	ErrNotBound = errors.New("chat not bound to a household")
	// ErrNothingToAcknowledge: no recent reminder waits for a 知晓.
	ErrNothingToAcknowledge = errors.New("no reminder to acknowledge")
)
