package bot

import (
	"context"
	"errors"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/outreach"
)

// OutreachEnrolment is the Enrolment of the outreach service: binding
// codes, opt-out and reminder buttons.
type OutreachEnrolment struct {
	S *outreach.Service
}

// Bind implements Enrolment.
func (o OutreachEnrolment) Bind(ctx context.Context, code string, from chat.Address) (Bound, error) {
	b, err := o.S.Bind(ctx, code, from)
	switch {
	case err == nil:
		return Bound{NameMasked: b.NameMasked, ProgramName: b.ProgramName}, nil
	case errors.Is(err, outreach.ErrCodeInvalid):
		return Bound{}, ErrCodeInvalid
	case errors.Is(err, outreach.ErrCodeExpired):
		return Bound{}, ErrCodeExpired
	case errors.Is(err, outreach.ErrCodeUsed):
		return Bound{}, ErrCodeUsed
	}
	return Bound{}, err
}

// OptOut implements Enrolment.
func (o OutreachEnrolment) OptOut(ctx context.Context, from chat.Address) error {
	return notBound(o.S.OptOut(ctx, from))
}

// OptIn implements Enrolment.
func (o OutreachEnrolment) OptIn(ctx context.Context, from chat.Address) error {
	return notBound(o.S.OptIn(ctx, from))
}

func notBound(err error) error {
	if errors.Is(err, outreach.ErrNotBound) {
		return ErrNotBound
	}
	return err
}

// HandleButton implements Enrolment. A stale or unknown button, or one
// pressed in another chat than the household's, is answered with
// outreach's own words (a refusal), not an error.
func (o OutreachEnrolment) HandleButton(ctx context.Context, from chat.Address, data string) (ButtonOutcome, error) {
	r, err := o.S.HandleButton(ctx, from, data)
	if err != nil && !errors.Is(err, outreach.ErrBadButton) && !errors.Is(err, outreach.ErrWrongChat) {
		return ButtonOutcome{}, err
	}
	return ButtonOutcome{Reply: r.Reply, WantsContact: r.WantsContact}, nil
}

// Acknowledge implements Enrolment.
func (o OutreachEnrolment) Acknowledge(ctx context.Context, from chat.Address) (ButtonOutcome, error) {
	r, err := o.S.AcknowledgeLatest(ctx, from)
	switch {
	case errors.Is(err, outreach.ErrNothingToAcknowledge):
		return ButtonOutcome{}, ErrNothingToAcknowledge
	case err != nil:
		return ButtonOutcome{}, notBound(err)
	}
	return ButtonOutcome{Reply: r.Reply}, nil
}

// IsCode implements Enrolment.
func (o OutreachEnrolment) IsCode(text string) bool { return outreach.LooksLikeCode(text) }
