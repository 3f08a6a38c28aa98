// Package questions is the log of what residents asked: the question with
// personal data redacted, whether the knowledge base answered it, the
// answer and its sources, and the resident's 👍/👎. Staff read it to see
// what the knowledge base lacks and which answers mislead.
package questions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/pii"
)

// ErrNotFound means no such question in the resident's own chat.
var ErrNotFound = errors.New("question not found")

// Source is one cited passage as logged: enough for staff to find it.
type Source struct {
	Doc     string  `json:"doc"`
	Title   string  `json:"title"`
	Section string  `json:"section"`
	Score   float64 `json:"score"`
}

// Entry is one logged question.
type Entry struct {
	ID       int64        `json:"id"`
	Channel  string       `json:"channel"`
	Chat     chat.Address `json:"-"` // never shown: it identifies the resident
	Lang     string       `json:"lang"`
	Question string       `json:"question"`
	Answered bool         `json:"answered"`
	Answer   string       `json:"answer"`
	Sources  []Source     `json:"sources"`
	Feedback int          `json:"feedback"` // 1 👍, -1 👎, 0 none
	AskedAt  time.Time    `json:"asked_at"`
}

// Log reads and writes the questions log.
type Log struct{ pool *pgxpool.Pool }

// New returns a Log on the pool.
func New(pool *pgxpool.Pool) *Log { return &Log{pool: pool} }

const insertSQL = `
	INSERT INTO questions (channel, chat_id, lang, question, answered, answer, citations)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	RETURNING id`

func insertArgs(e Entry) []any {
	src := e.Sources
	if src == nil {
		src = []Source{}
	}
	cj, _ := json.Marshal(src)
	// Redacted here as well as by the caller: the log must never hold a
	// number even if a caller forgets.
	return []any{e.Chat.Channel, e.Chat.ID, e.Lang, pii.Redact(e.Question), e.Answered, pii.Redact(e.Answer), cj}
}

// Record stores a question and returns its id.
func (l *Log) Record(ctx context.Context, e Entry) (int64, error) {
	var id int64
	if err := l.pool.QueryRow(ctx, insertSQL, insertArgs(e)...).Scan(&id); err != nil {
		return 0, fmt.Errorf("record question: %w", err)
	}
	return id, nil
}

// QueueRecord adds the insert to a batch the caller sends with its own
// statements, so the bot's hot path stays at one round trip; the id is
// written to *id when the batch runs.
func QueueRecord(b *pgx.Batch, e Entry, id *int64) {
	b.Queue(insertSQL, insertArgs(e)...).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(id); err != nil {
			return fmt.Errorf("record question: %w", err)
		}
		return nil
	})
}

// Feedback stores a resident's vote (1 or -1) on an answer. The chat must
// be the one that asked: one resident cannot touch another's question.
// Voting again replaces the vote.
func (l *Log) Feedback(ctx context.Context, id int64, from chat.Address, vote int) error {
	if vote != 1 && vote != -1 {
		return fmt.Errorf("feedback: vote must be 1 or -1, got %d", vote)
	}
	tag, err := l.pool.Exec(ctx, `
		UPDATE questions SET feedback = $1, feedback_at = now()
		WHERE id = $2 AND channel = $3 AND chat_id = $4`, vote, id, from.Channel, from.ID)
	if err != nil {
		return fmt.Errorf("feedback on question %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

const selectCols = `id, channel, chat_id, lang, question, answered, answer, citations, coalesce(feedback, 0), asked_at`

func (l *Log) list(ctx context.Context, where string, limit int, args ...any) ([]Entry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := l.pool.Query(ctx, `SELECT `+selectCols+` FROM questions `+where+
		fmt.Sprintf(` ORDER BY asked_at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var cj []byte
		if err := rows.Scan(&e.ID, &e.Channel, &e.Chat.ID, &e.Lang, &e.Question, &e.Answered, &e.Answer, &cj, &e.Feedback, &e.AskedAt); err != nil {
			return nil, fmt.Errorf("list questions: %w", err)
		}
		e.Chat.Channel = e.Channel
		if err := json.Unmarshal(cj, &e.Sources); err != nil {
			return nil, fmt.Errorf("question %d sources: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	return out, nil
}

// Recent returns the latest questions, newest first.
func (l *Log) Recent(ctx context.Context, limit int) ([]Entry, error) {
	return l.list(ctx, "", limit)
}

// Unanswered returns the latest questions the knowledge base could not
// answer: what the corpus lacks.
func (l *Log) Unanswered(ctx context.Context, limit int) ([]Entry, error) {
	return l.list(ctx, "WHERE NOT answered", limit)
}

// Disliked returns the latest answers residents marked 👎.
func (l *Log) Disliked(ctx context.Context, limit int) ([]Entry, error) {
	return l.list(ctx, "WHERE feedback = -1", limit)
}

// Get returns one question.
func (l *Log) Get(ctx context.Context, id int64) (Entry, error) {
	es, err := l.list(ctx, "WHERE id = $1", 1, id)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, ErrNotFound
	}
	return es[0], nil
}

// Day is one day's counts, the day in the zone the caller asked for.
type Day struct {
	Date       string `json:"date"` // YYYY-MM-DD
	Asked      int    `json:"asked"`
	Answered   int    `json:"answered"`
	Unanswered int    `json:"unanswered"`
	Liked      int    `json:"liked"`
	Disliked   int    `json:"disliked"`
}

// Daily returns counts per day for the last days days (today included),
// days counted in loc, oldest first; days without questions are included.
func (l *Log) Daily(ctx context.Context, days int, loc *time.Location) ([]Day, error) {
	if days <= 0 || days > 366 {
		days = 30
	}
	if loc == nil {
		loc = time.UTC
	}
	rows, err := l.pool.Query(ctx, `
		WITH d AS (
			SELECT generate_series((now() AT TIME ZONE $2)::date - ($1::int - 1), (now() AT TIME ZONE $2)::date, '1 day')::date AS day
		)
		SELECT to_char(d.day, 'YYYY-MM-DD'),
		       count(q.id),
		       count(q.id) FILTER (WHERE q.answered),
		       count(q.id) FILTER (WHERE NOT q.answered),
		       count(q.id) FILTER (WHERE q.feedback = 1),
		       count(q.id) FILTER (WHERE q.feedback = -1)
		FROM d LEFT JOIN questions q
		  ON q.asked_at >= (d.day::timestamp AT TIME ZONE $2)
		 AND q.asked_at < ((d.day + 1)::timestamp AT TIME ZONE $2)
		GROUP BY d.day ORDER BY d.day`, days, loc.String())
	if err != nil {
		return nil, fmt.Errorf("daily question counts: %w", err)
	}
	defer rows.Close()
	out := []Day{}
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Date, &d.Asked, &d.Answered, &d.Unanswered, &d.Liked, &d.Disliked); err != nil {
			return nil, fmt.Errorf("daily question counts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Problem is one wording residents asked that went unanswered or got a 👎,
// counted over every time it was asked that way.
type Problem struct {
	Question string    `json:"question"`
	Answered bool      `json:"answered"` // every time it was asked
	Disliked bool      `json:"disliked"` // at least once
	Count    int       `json:"count"`
	LastAt   time.Time `json:"last_at"`
}

// Problems lists what the knowledge base lacks or answers badly: the same
// wording once, most asked first, then the most recent.
func (l *Log) Problems(ctx context.Context, limit int) ([]Problem, error) {
	rows, err := l.pool.Query(ctx, `
		SELECT question, bool_and(answered), coalesce(bool_or(feedback = -1), false), count(*), max(asked_at)
		FROM questions WHERE NOT answered OR feedback = -1
		GROUP BY question ORDER BY count(*) DESC, max(asked_at) DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("problem questions: %w", err)
	}
	defer rows.Close()
	out := []Problem{}
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Question, &p.Answered, &p.Disliked, &p.Count, &p.LastAt); err != nil {
			return nil, fmt.Errorf("problem questions: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ByChat returns what one chat asked before a moment, oldest first: the
// latest limit of them. A handoff ticket shows them so staff read the
// conversation from the resident's first question, beyond the few lines
// the ticket was opened with.
func (l *Log) ByChat(ctx context.Context, from chat.Address, before time.Time, limit int) ([]Entry, error) {
	es, err := l.list(ctx, "WHERE channel = $1 AND chat_id = $2 AND asked_at < $3", limit, from.Channel, from.ID, before)
	if err != nil {
		return nil, err
	}
	slices.Reverse(es)
	return es, nil
}
