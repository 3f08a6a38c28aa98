package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/questions"
)

// convState is where a conversation is, kept as JSON in bot_conversations.
type convState struct {
	Mode   string          `json:"mode,omitempty"`   // "" or "wizard"
	Wizard json.RawMessage `json:"wizard,omitempty"` // the wizard's own state
	Lang   string          `json:"lang,omitempty"`   // chosen with /lang; "" = follow the resident
	Seen   string          `json:"seen,omitempty"`   // the language last detected
	Misses int             `json:"misses,omitempty"` // questions in a row the bot could not answer
	Ticket int64           `json:"ticket,omitempty"` // the handoff ticket staff are working on
	// Choices are the data of the numbered choices last shown on a channel
	// without buttons, so a typed number can be taken as one.
	Choices []string `json:"choices,omitempty"`
	// Labels are the words of those choices, Labels[i] for Choices[i], so
	// the history can say which button was pressed without the wizard
	// working out its question again. A conversation saved before they
	// were kept has none.
	Labels []string `json:"labels,omitempty"`
}

// label is the words shown on the choice whose data is data, when they
// were kept.
func (s convState) label(data string) (string, bool) {
	for i, c := range s.Choices {
		if c == data && i < len(s.Labels) && s.Labels[i] != "" {
			return s.Labels[i], true
		}
	}
	return "", false
}

// turn is one line of the recent conversation, kept for a handoff.
type turn struct {
	A string `json:"a"` // "r" resident, "b" bot
	T string `json:"t"`
}

type begun struct {
	duplicate    bool
	limited      bool // over the per-chat rate
	wasLimited   bool // and already told so
	state        convState
	history      []turn
	stateVersion []byte // the state as read, to skip a write when unchanged
}

// beginSQL is the whole first round trip of an update: remember the event
// id (a duplicate stops here), create or load the conversation and spend a
// token of the per-chat bucket. The outer SELECT reads the row as it was
// before this statement (a data-modifying CTE's effects are invisible to
// it), which tells whether the resident was already told to slow down.
const beginSQL = `
WITH seen AS (
	INSERT INTO bot_seen_events (key) SELECT $3 WHERE $3 <> ''
	ON CONFLICT DO NOTHING RETURNING key
), up AS (
	INSERT INTO bot_conversations AS c (channel, chat_id, tokens, tokens_at, limited)
	SELECT $1, $2, $4::float8 - 1, now(), false
	WHERE $3 = '' OR EXISTS (SELECT 1 FROM seen)
	ON CONFLICT (channel, chat_id) DO UPDATE SET
		tokens = CASE WHEN least($4::float8, c.tokens + extract(epoch FROM now() - c.tokens_at) * $5::float8) >= 1
		              THEN least($4::float8, c.tokens + extract(epoch FROM now() - c.tokens_at) * $5::float8) - 1
		              ELSE least($4::float8, c.tokens + extract(epoch FROM now() - c.tokens_at) * $5::float8) END,
		tokens_at = now(),
		limited = least($4::float8, c.tokens + extract(epoch FROM now() - c.tokens_at) * $5::float8) < 1
	RETURNING c.state, c.history, c.limited
)
SELECT $3 <> '' AND NOT EXISTS (SELECT 1 FROM seen),
       up.state, up.history, coalesce(up.limited, false),
       coalesce((SELECT limited FROM bot_conversations WHERE channel = $1 AND chat_id = $2), false)
FROM (SELECT 1) one LEFT JOIN up ON true`

// lazyCommit wraps a batch in a transaction that does not wait for its
// WAL to reach the disk. What the bot writes on every message (state,
// event ids, the question log) may lose its last fraction of a second if
// PostgreSQL itself crashes, never its consistency; waiting for two fsyncs
// per message instead costs more latency than the whole engine when the
// disk is busy. Tickets (package handoff) stay fully durable.
func lazyCommit(b *pgx.Batch) *pgx.Batch {
	out := &pgx.Batch{}
	out.Queue("BEGIN")
	out.Queue("SET LOCAL synchronous_commit TO OFF")
	out.QueuedQueries = append(out.QueuedQueries, b.QueuedQueries...)
	out.Queue("COMMIT")
	return out
}

func (e *Engine) begin(ctx context.Context, ev Event) (begun, error) {
	var b begun
	var state, history []byte
	batch := &pgx.Batch{}
	batch.Queue(beginSQL, ev.Address.Channel, ev.Address.ID, ev.EventID, e.rateBurst, e.ratePerSec).QueryRow(func(row pgx.Row) error {
		return row.Scan(&b.duplicate, &state, &history, &b.limited, &b.wasLimited)
	})
	if err := e.pool.SendBatch(ctx, lazyCommit(batch)).Close(); err != nil {
		return b, fmt.Errorf("load conversation: %w", err)
	}
	if b.duplicate {
		return b, nil
	}
	if len(state) > 0 {
		if err := json.Unmarshal(state, &b.state); err != nil {
			// A state the code no longer understands must not lock the
			// resident out: start afresh.
			e.log.Warn("conversation state unreadable; reset", "channel", ev.Address.Channel, "err", err)
			b.state = convState{}
		}
		b.stateVersion = state
	}
	if len(history) > 0 {
		_ = json.Unmarshal(history, &b.history)
	}
	return b, nil
}

// finishSQL saves the state and appends the new lines to the history in
// SQL, so two updates of the same chat on two servers both keep their
// lines. The last 20 lines are kept: what a handoff ticket gets.
const finishSQL = `
UPDATE bot_conversations SET
	state = coalesce($3::jsonb, state),
	history = (SELECT coalesce(jsonb_agg(x ORDER BY n), '[]'::jsonb) FROM (
		SELECT x, n FROM jsonb_array_elements(history || $4::jsonb) WITH ORDINALITY AS t(x, n)
		ORDER BY n DESC LIMIT 20) last),
	updated_at = now()
WHERE channel = $1 AND chat_id = $2`

// finish writes what the update changed in one round trip: the
// conversation, and the question for the log when there is one (its id is
// returned, 0 if none).
func (e *Engine) finish(ctx context.Context, ev Event, b begun, st convState, lines []turn, q *questions.Entry) (int64, error) {
	var stateJSON []byte
	if sj, err := json.Marshal(st); err == nil && string(sj) != string(b.stateVersion) {
		stateJSON = sj
	}
	if len(lines) == 0 && stateJSON == nil && q == nil {
		return 0, nil
	}
	hj, _ := json.Marshal(lines)
	if lines == nil {
		hj = []byte("[]")
	}
	var qid int64
	batch := &pgx.Batch{}
	if q != nil {
		questions.QueueRecord(batch, *q, &qid)
	}
	batch.Queue(finishSQL, ev.Address.Channel, ev.Address.ID, stateJSON, hj)
	if err := e.pool.SendBatch(ctx, lazyCommit(batch)).Close(); err != nil {
		return 0, fmt.Errorf("save conversation: %w", err)
	}
	return qid, nil
}
