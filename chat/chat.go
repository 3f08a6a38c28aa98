// Package chat is what every resident channel shares: where a message
// goes (Address), what it says (Message, with buttons that channels
// without buttons show as numbered choices), how it is sent (Sender) and
// how a send fails (the typed errors below), and each channel's limits.
// The engine, handoff, questions and outreach know only this package; a
// channel is one adapter package that implements it.
package chat

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Address is one resident's chat on one channel. ID is the channel's own
// id as text: a Telegram chat id, a WeChat openid, a web chat's derived id.
// It identifies a person, so it is never logged.
type Address struct {
	Channel string
	ID      string
}

// IsZero tells whether the address names no chat.
func (a Address) IsZero() bool { return a.Channel == "" || a.ID == "" }

// Validate names the field that is missing.
func (a Address) Validate() error {
	switch {
	case a.Channel == "":
		return errors.New("chat address: channel is empty")
	case a.ID == "":
		return errors.New("chat address: id is empty")
	}
	return nil
}

// Button is one choice under a message; Data comes back as the event's
// Choice when it is pressed (or, on channels without buttons, typed as
// its number).
type Button struct {
	Text string `json:"text"`
	Data string `json:"data"`
}

// Message is one message to a resident.
type Message struct {
	Text    string     `json:"text"`
	Buttons [][]Button `json:"buttons,omitempty"`
	// ReplyTo is the channel's id of the message this one answers ("" for
	// none); channels that cannot quote ignore it.
	ReplyTo string `json:"-"`
	// Kind names what the message is for outreach ("review", "pledge"…);
	// channels that must send unprompted messages as templates choose the
	// template by it. "" for conversation replies.
	Kind string `json:"-"`
}

// Choices returns the buttons in reading order.
func (m Message) Choices() []Button {
	var out []Button
	for _, row := range m.Buttons {
		out = append(out, row...)
	}
	return out
}

// Sender sends a message to a chat. It returns the channel's id of the
// sent message ("" when the channel has none). Failures are one of the
// typed errors below, or any other error for a transient failure that may
// be retried.
type Sender interface {
	Send(ctx context.Context, to Address, m Message) (id string, err error)
}

// ErrUnknownChannel: no sender for the address's channel.
var ErrUnknownChannel = errors.New("no sender for the chat's channel")

// Router sends through the Sender of the address's channel.
type Router map[string]Sender

// Send implements Sender.
func (r Router) Send(ctx context.Context, to Address, m Message) (string, error) {
	s, ok := r[to.Channel]
	if !ok || s == nil {
		return "", &PermanentError{Reason: fmt.Sprintf("%v: %q", ErrUnknownChannel, to.Channel), Err: ErrUnknownChannel}
	}
	return s.Send(ctx, to, m)
}

// BlockedError: the resident cannot be reached on this chat (blocked the
// bot, unfollowed the account, the chat is gone). Retrying will not help;
// staff follow up another way.
type BlockedError struct{ Reason string }

func (e *BlockedError) Error() string { return "unreachable: " + e.Reason }

// RateLimitedError: the channel asked to wait before the next send.
type RateLimitedError struct {
	RetryAfter time.Duration
	// Reason says which limit, e.g. a daily quota, when the channel says.
	Reason string
}

func (e *RateLimitedError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("rate limited (%s): retry after %s", e.Reason, e.RetryAfter)
	}
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// OutOfWindowError: the channel only lets the service write within a time
// after the resident's last message (WeChat's 48 hours), and that time has
// passed. A template message, or a person, is the way left.
type OutOfWindowError struct{ Reason string }

func (e *OutOfWindowError) Error() string { return "outside the reply window: " + e.Reason }

// PermanentError: the request itself is wrong (bad token, bad template);
// retrying the same send will not help.
type PermanentError struct {
	Reason string
	Err    error
}

func (e *PermanentError) Error() string { return "rejected: " + e.Reason }
func (e *PermanentError) Unwrap() error { return e.Err }

// TransientError: a failure worth retrying with backoff (network, 5xx).
// Plain errors are treated the same; adapters wrap to say so explicitly.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Limits are what a channel allows; senders and the engine respect them.
type Limits struct {
	// MaxText is the longest text of one message in runes; longer texts
	// are split by the adapter.
	MaxText int
	// Buttons: the channel shows buttons under a message. Without them the
	// engine's choices are shown as a numbered list and typed back.
	Buttons bool
	// Push: the service may write first (reminders, staff replies later).
	// A channel without it only answers while the resident is there.
	Push bool
	// ChatGap is the least time between two unprompted messages to one
	// chat; GlobalPerSec the most unprompted messages a second overall.
	ChatGap      time.Duration
	GlobalPerSec float64
}
