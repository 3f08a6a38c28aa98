package bot

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/chat"
)

// Handling is what handles one event: the Engine, or a wrapper around it.
type Handling interface {
	Handle(ctx context.Context, ev Event) (Result, error)
}

// ChatLock makes the events of one chat take turns across every process
// on the database. The Engine's own lock only orders a chat's events
// within one process; behind a load balancer, Telegram's webhook spreads
// one resident's updates over several servers, and two turns that read the
// same conversation state would each write their own, the last one
// winning (a wizard answer lost, a ticket opened twice). A PostgreSQL
// advisory lock on the chat, held for the whole turn, orders them.
//
// The locks are held on connections of a pool of their own: a turn also
// needs connections of the main pool, and if the lock holders could take
// all of those, every turn would wait on every other.
type ChatLock struct {
	next  Handling
	locks *pgxpool.Pool
}

// NewChatLock wraps next; locks is a pool used only to hold the locks, its
// size the number of chats handled at once by this process.
func NewChatLock(next Handling, locks *pgxpool.Pool) *ChatLock {
	return &ChatLock{next: next, locks: locks}
}

// chatKey is the advisory lock key of a chat: 64 bits of a hash of channel
// and chat id, in a space of its own (the "chat" prefix) so no other lock
// of the service collides with it by design.
func chatKey(a chat.Address) int64 {
	h := fnv.New64a()
	// Text ids hash as the decimal ids did, so keys stay the same across a
	// deploy of this change.
	fmt.Fprintf(h, "safetynet/chat\x00%s\x00%s", a.Channel, a.ID)
	return int64(h.Sum64())
}

// Handle takes the chat's lock, handles the event, and lets the lock go.
//
// Under the lock it also decides whether the event is a redelivery, and
// marks it handled only once its turn is done. The engine alone marks an
// event seen when its turn begins (it has no lock to do better); a server
// killed in the middle of that turn would leave the event marked, and the
// retry on another server would be dropped as a duplicate: the message
// lost. Here a turn cut short is simply done again.
func (c *ChatLock) Handle(ctx context.Context, ev Event) (Result, error) {
	conn, err := c.locks.Acquire(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("chat lock: %w", err)
	}
	key := chatKey(ev.Address)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		// The connection may hold the lock or not: closing it ends both.
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
		conn.Release()
		return Result{}, fmt.Errorf("chat lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
	}()
	if ev.EventID == "" {
		return c.next.Handle(ctx, ev)
	}
	var seen bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bot_seen_events WHERE key = $1)`, ev.EventID).Scan(&seen); err != nil {
		return Result{}, fmt.Errorf("chat lock: %w", err)
	}
	if seen {
		return Result{Duplicate: true}, nil
	}
	id := ev.EventID
	ev.EventID = "" // decided here, under the lock
	res, err := c.next.Handle(ctx, ev)
	if err != nil {
		return res, err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO bot_seen_events (key) VALUES ($1) ON CONFLICT DO NOTHING`, id); err != nil {
		return res, fmt.Errorf("chat lock: mark %s handled: %w", id, err)
	}
	return res, nil
}
