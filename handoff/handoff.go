// Package handoff hands a resident to a person: a ticket with the
// conversation so far (personal data masked) that hotline staff claim,
// answer and close. Staff replies are stored and then delivered to the
// resident's chat through the chat.Sender the caller provides.
package handoff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/pii"
)

// Ticket statuses.
const (
	StatusOpen    = "open"
	StatusClaimed = "claimed"
	StatusClosed  = "closed"
)

// Message authors.
const (
	AuthorResident = "resident"
	AuthorBot      = "bot"
	AuthorStaff    = "staff"
)

var (
	ErrNotFound       = errors.New("ticket not found")
	ErrClaimed        = errors.New("ticket is claimed by someone else")
	ErrClosed         = errors.New("ticket is closed")
	ErrEmptyReply     = errors.New("text: a reply must not be empty")
	ErrStaffRequired  = errors.New("staff: who acts must be named")
	ErrUnknownChannel = chat.ErrUnknownChannel
)

// Message is one line of a ticket's conversation.
type Message struct {
	ID          int64      `json:"id"`
	Author      string     `json:"author"`
	Staff       string     `json:"staff,omitempty"`
	Text        string     `json:"text"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Ticket is one request for a person.
type Ticket struct {
	ID      int64        `json:"id"`
	Channel string       `json:"channel"`
	Chat    chat.Address `json:"-"` // identifies the resident: never shown
	Lang    string       `json:"lang"`
	Reason  string       `json:"reason"`
	// Topic is what the ticket is about, for the queue: the resident's
	// first real question, trimmed (filled by List and Get).
	Topic     string     `json:"topic"`
	Status    string     `json:"status"`
	ClaimedBy string     `json:"claimed_by,omitempty"`
	ClaimedAt *time.Time `json:"claimed_at,omitempty"`
	ClosedBy  string     `json:"closed_by,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// Messages is filled by Get and Open, not by List.
	Messages []Message `json:"messages,omitempty"`
}

// Turn is one line of the conversation handed over when a ticket opens.
type Turn struct {
	Author string // AuthorResident or AuthorBot
	Text   string
}

// Request opens a ticket.
type Request struct {
	Chat       chat.Address
	Lang       string
	Reason     string // why: "asked" (the resident asked), "unanswered" (the bot could not help)
	Transcript []Turn
}

// Desk keeps tickets.
type Desk struct {
	pool *pgxpool.Pool
	out  chat.Sender
}

// New returns a Desk that sends staff replies through out (a chat.Router
// over the channels). out may be nil where nothing is sent (tools, tests of
// the ticket flow); replies are then stored and Reply reports
// ErrUnknownChannel.
func New(pool *pgxpool.Pool, out chat.Sender) *Desk {
	return &Desk{pool: pool, out: out}
}

// Open opens a ticket for the chat, or returns the chat's ticket that is
// not yet closed with the new transcript lines added, so asking twice does
// not make two tickets. existing tells which happened. Text is masked.
func (d *Desk) Open(ctx context.Context, r Request) (t Ticket, existing bool, err error) {
	if err := r.Chat.Validate(); err != nil {
		return Ticket{}, false, fmt.Errorf("open ticket: %w", err)
	}
	if r.Lang == "" {
		r.Lang = "zh-Hans"
	}
	// The conversation starts at the resident's first message: a greeting
	// or menu the bot sent before it says nothing to staff.
	transcript := r.Transcript
	for len(transcript) > 0 && transcript[0].Author == AuthorBot {
		transcript = transcript[1:]
	}
	texts := make([]string, len(transcript))
	var said []string
	for i, turn := range transcript {
		texts[i] = mask(turn.Text)
		if turn.Author != AuthorBot {
			said = append(said, texts[i])
		}
	}
	err = pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		// The unique partial index allows one ticket not closed per chat;
		// ON CONFLICT makes concurrent asks meet on it. A ticket joined
		// takes a question from these lines only while it has none (topic
		// ''): one it has comes earlier and stays its topic.
		var inserted bool
		err := tx.QueryRow(ctx, `
			INSERT INTO handoff_tickets (channel, chat_id, lang, reason, topic)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (channel, chat_id) WHERE status <> 'closed'
			DO UPDATE SET updated_at = now(),
				topic = CASE WHEN handoff_tickets.topic = '' THEN EXCLUDED.topic ELSE handoff_tickets.topic END
			RETURNING id, (xmax = 0)`, r.Chat.Channel, r.Chat.ID, r.Lang, r.Reason, firstQuestion(said)).Scan(&t.ID, &inserted)
		if err != nil {
			return fmt.Errorf("open ticket: %w", err)
		}
		existing = !inserted
		b := &pgx.Batch{}
		for i, turn := range transcript {
			author := turn.Author
			if author != AuthorBot {
				author = AuthorResident
			}
			b.Queue(`INSERT INTO handoff_messages (ticket_id, author, text) VALUES ($1, $2, $3)`,
				t.ID, author, texts[i])
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("ticket %d transcript: %w", t.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return Ticket{}, false, err
	}
	t, err = d.Get(ctx, t.ID)
	return t, existing, err
}

// Append adds a resident's message to the chat's ticket that is not
// closed, so staff see what came after the handoff. It returns ErrNotFound
// when the chat has none.
func (d *Desk) Append(ctx context.Context, to chat.Address, author, text string) (int64, error) {
	text = mask(text)
	var q string
	if author == AuthorResident {
		q = firstQuestion([]string{text})
	}
	// The line becomes the topic only if the ticket has no question yet
	// (topic ''). The row lock the UPDATE takes orders appends to one
	// ticket, so the first question by line order is the one kept. A NULL
	// topic stays NULL for fillTopics, which reads this line as well.
	var id int64
	err := d.pool.QueryRow(ctx, `
		WITH t AS (
			UPDATE handoff_tickets SET updated_at = now(),
				topic = CASE WHEN topic = '' THEN $5 ELSE topic END
			WHERE channel = $1 AND chat_id = $2 AND status <> 'closed'
			RETURNING id
		)
		INSERT INTO handoff_messages (ticket_id, author, text)
		SELECT id, $3, $4 FROM t RETURNING ticket_id`, to.Channel, to.ID, author, text, q).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("append to ticket: %w", err)
	}
	return id, nil
}

// mask removes ID, phone and card numbers and bounds the length.
func mask(s string) string {
	s = pii.Redact(strings.TrimSpace(s))
	if r := []rune(s); len(r) > 4000 {
		s = string(r[:4000]) + "…"
	}
	return s
}

const ticketCols = `id, channel, chat_id, lang, reason, status, claimed_by, claimed_at, closed_by, closed_at, created_at, updated_at`

// scanTicket reads ticketCols, then any columns after them into more.
func scanTicket(row pgx.Row, more ...any) (Ticket, error) {
	var t Ticket
	err := row.Scan(append([]any{&t.ID, &t.Chat.Channel, &t.Chat.ID, &t.Lang, &t.Reason, &t.Status, &t.ClaimedBy, &t.ClaimedAt,
		&t.ClosedBy, &t.ClosedAt, &t.CreatedAt, &t.UpdatedAt}, more...)...)
	t.Channel = t.Chat.Channel
	return t, err
}

// List returns tickets with the status ("" for all that are not closed),
// oldest first so the longest wait is served first.
func (d *Desk) List(ctx context.Context, status string) ([]Ticket, error) {
	where, args := `WHERE status <> 'closed'`, []any{}
	order := `created_at, id`
	switch status {
	case "":
	case StatusOpen, StatusClaimed:
		where, args = `WHERE status = $1`, []any{status}
	case StatusClosed:
		where, args = `WHERE status = $1`, []any{status}
		order = `closed_at DESC, id DESC`
	default:
		return nil, fmt.Errorf("status: unknown %q (open, claimed, closed)", status)
	}
	// The topic comes from the stored column, not the lines: the console
	// polls this list, and Open and Append keep the column up to date.
	rows, err := d.pool.Query(ctx, `SELECT `+ticketCols+`, topic FROM handoff_tickets `+where+` ORDER BY `+order+` LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	out := []Ticket{}
	var unset []int
	for rows.Next() {
		var q *string
		t, err := scanTicket(rows, &q)
		if err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		if q == nil {
			unset = append(unset, len(out))
		} else {
			t.Topic = shownTopic(t.Reason, *q)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	rows.Close()
	fill := make([]*Ticket, len(unset))
	for i, j := range unset {
		fill[i] = &out[j]
	}
	return out, d.fillTopics(ctx, fill)
}

// Get returns a ticket with its messages.
func (d *Desk) Get(ctx context.Context, id int64) (Ticket, error) {
	t, err := scanTicket(d.pool.QueryRow(ctx, `SELECT `+ticketCols+` FROM handoff_tickets WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	rows, err := d.pool.Query(ctx, `
		SELECT id, author, staff, text, delivered_at, created_at FROM handoff_messages
		WHERE ticket_id = $1 ORDER BY id`, id)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d messages: %w", id, err)
	}
	defer rows.Close()
	t.Messages = []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Author, &m.Staff, &m.Text, &m.DeliveredAt, &m.CreatedAt); err != nil {
			return Ticket{}, fmt.Errorf("ticket %d messages: %w", id, err)
		}
		t.Messages = append(t.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return Ticket{}, fmt.Errorf("ticket %d messages: %w", id, err)
	}
	var said []string
	for _, m := range t.Messages {
		if m.Author == AuthorResident {
			said = append(said, m.Text)
		}
	}
	t.Topic = topicOf(t.Reason, said)
	return t, nil
}

// Claim assigns an open ticket to staff. Claiming one's own ticket again
// is fine; a ticket claimed by someone else gives ErrClaimed.
func (d *Desk) Claim(ctx context.Context, id int64, staff string) (Ticket, error) {
	staff = strings.TrimSpace(staff)
	if staff == "" {
		return Ticket{}, ErrStaffRequired
	}
	tag, err := d.pool.Exec(ctx, `
		UPDATE handoff_tickets SET status = 'claimed', claimed_by = $2, claimed_at = now(), updated_at = now()
		WHERE id = $1 AND (status = 'open' OR (status = 'claimed' AND claimed_by = $2))`, id, staff)
	if err != nil {
		return Ticket{}, fmt.Errorf("claim ticket %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return Ticket{}, d.whyNot(ctx, id)
	}
	return d.Get(ctx, id)
}

func (d *Desk) whyNot(ctx context.Context, id int64) error {
	var status string
	err := d.pool.QueryRow(ctx, `SELECT status FROM handoff_tickets WHERE id = $1`, id).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("ticket %d: %w", id, err)
	case status == StatusClosed:
		return ErrClosed
	default:
		return ErrClaimed
	}
}

// Reply stores a staff reply on the ticket (claiming it if open) and hands
// it to the Deliverer. The reply is kept even if delivery fails; the error
// then says so and the message shows no delivered_at.
func (d *Desk) Reply(ctx context.Context, id int64, staff, text string) (Message, error) {
	staff, text = strings.TrimSpace(staff), strings.TrimSpace(text)
	if staff == "" {
		return Message{}, ErrStaffRequired
	}
	if text == "" {
		return Message{}, ErrEmptyReply
	}
	var t Ticket
	var m Message
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		var err error
		t, err = scanTicket(tx.QueryRow(ctx, `SELECT `+ticketCols+` FROM handoff_tickets WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		switch {
		case t.Status == StatusClosed:
			return ErrClosed
		case t.Status == StatusClaimed && t.ClaimedBy != staff:
			return ErrClaimed
		}
		if t.Status == StatusOpen {
			if _, err := tx.Exec(ctx, `UPDATE handoff_tickets SET status = 'claimed', claimed_by = $2, claimed_at = now() WHERE id = $1`, id, staff); err != nil {
				return fmt.Errorf("claim ticket %d: %w", id, err)
			}
		}
		m = Message{Author: AuthorStaff, Staff: staff, Text: text}
		return tx.QueryRow(ctx, `
			WITH u AS (UPDATE handoff_tickets SET updated_at = now() WHERE id = $1)
			INSERT INTO handoff_messages (ticket_id, author, staff, text) VALUES ($1, 'staff', $2, $3)
			RETURNING id, created_at`, id, staff, text).Scan(&m.ID, &m.CreatedAt)
	})
	if err != nil {
		return Message{}, err
	}
	if d.out == nil {
		return m, fmt.Errorf("deliver reply to ticket %d: %w: %q", id, ErrUnknownChannel, t.Channel)
	}
	if _, err := d.out.Send(ctx, t.Chat, chat.Message{Text: StaffReplyText(t.Lang, text)}); err != nil {
		return m, fmt.Errorf("deliver reply to ticket %d: %w", id, err)
	}
	now := time.Now()
	if _, err := d.pool.Exec(ctx, `UPDATE handoff_messages SET delivered_at = $2 WHERE id = $1`, m.ID, now); err != nil {
		return m, fmt.Errorf("mark reply %d delivered: %w", m.ID, err)
	}
	m.DeliveredAt = &now
	return m, nil
}

// StaffReplyText is how a staff reply reads in the resident's chat.
func StaffReplyText(lang, text string) string {
	switch lang {
	case "en":
		return "Reply from our staff:\n" + text
	case "zh-Hant":
		return "工作人員回覆您：\n" + text
	default:
		return "工作人员回复您：\n" + text
	}
}

// Close closes a ticket. Closing a closed ticket is fine.
func (d *Desk) Close(ctx context.Context, id int64, staff string) (Ticket, error) {
	staff = strings.TrimSpace(staff)
	if staff == "" {
		return Ticket{}, ErrStaffRequired
	}
	tag, err := d.pool.Exec(ctx, `
		UPDATE handoff_tickets SET status = 'closed', closed_by = $2, closed_at = now(), updated_at = now()
		WHERE id = $1 AND status <> 'closed'`, id, staff)
	if err != nil {
		return Ticket{}, fmt.Errorf("close ticket %d: %w", id, err)
	}
	t, err := d.Get(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	if tag.RowsAffected() == 0 && t.Status != StatusClosed {
		return Ticket{}, fmt.Errorf("close ticket %d: unexpected status %q", id, t.Status)
	}
	return t, nil
}
