// Package switches holds the per-channel off switches of operations: resident
// Q&A and outreach sending can be turned off at once, with a reason, when
// answers or messages go wrong. The row is read on every use rather than
// cached, because "off" must hold on every server the moment it is set.
package switches

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The channels that can be switched off.
const (
	ResidentQA      = "resident_qa"      // the bot's and web chat's answers
	OutreachSending = "outreach_sending" // campaign and reminder dispatch
)

// Channels lists every switchable channel, for the console.
var Channels = []string{ResidentQA, OutreachSending}

// ErrCommentRequired is returned when a switch is flipped without a reason.
var ErrCommentRequired = errors.New("comment: a reason is required to change a switch")

// State is one channel's switch. A channel never switched is on.
type State struct {
	Channel   string    `json:"channel"`
	Enabled   bool      `json:"enabled"`
	Comment   string    `json:"comment"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// Board reads and sets switches.
type Board struct{ pool *pgxpool.Pool }

// New returns a Board on the pool.
func New(pool *pgxpool.Pool) *Board { return &Board{pool: pool} }

// Get returns a channel's state.
func (b *Board) Get(ctx context.Context, channel string) (State, error) {
	if err := known(channel); err != nil {
		return State{}, err
	}
	s := State{Channel: channel, Enabled: true}
	err := b.pool.QueryRow(ctx,
		`SELECT enabled, comment, changed_by, changed_at FROM channel_switches WHERE channel = $1`, channel).
		Scan(&s.Enabled, &s.Comment, &s.ChangedBy, &s.ChangedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("switch %s: %w", channel, err)
	}
	return s, nil
}

// Enabled tells whether a channel is on. On a database error it answers on,
// with the error, so the caller decides; callers that must fail closed can.
func (b *Board) Enabled(ctx context.Context, channel string) (bool, error) {
	s, err := b.Get(ctx, channel)
	if err != nil {
		return true, err
	}
	return s.Enabled, nil
}

// Set turns a channel on or off; the comment is required and kept. Callers
// record the change in their audit log within tx when they have one: use
// SetTx for that.
func (b *Board) Set(ctx context.Context, channel string, enabled bool, comment, by string) (State, error) {
	var s State
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var err error
		s, err = SetTx(ctx, tx, channel, enabled, comment, by)
		return err
	})
	return s, err
}

// SetTx is Set within the caller's transaction.
func SetTx(ctx context.Context, tx pgx.Tx, channel string, enabled bool, comment, by string) (State, error) {
	if err := known(channel); err != nil {
		return State{}, err
	}
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return State{}, ErrCommentRequired
	}
	s := State{Channel: channel, Enabled: enabled, Comment: comment, ChangedBy: by}
	err := tx.QueryRow(ctx, `
		INSERT INTO channel_switches (channel, enabled, comment, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (channel) DO UPDATE SET enabled = $2, comment = $3, changed_by = $4, changed_at = now()
		RETURNING changed_at`, channel, enabled, comment, by).Scan(&s.ChangedAt)
	if err != nil {
		return State{}, fmt.Errorf("switch %s: %w", channel, err)
	}
	return s, nil
}

// All returns every channel's state.
func (b *Board) All(ctx context.Context) ([]State, error) {
	out := make([]State, 0, len(Channels))
	for _, c := range Channels {
		s, err := b.Get(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func known(channel string) error {
	for _, c := range Channels {
		if c == channel {
			return nil
		}
	}
	return fmt.Errorf("channel: unknown %q (known: %s)", channel, strings.Join(Channels, ", "))
}
