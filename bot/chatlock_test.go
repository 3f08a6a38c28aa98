package bot_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// Two engines on one database stand for two servers behind a load
// balancer. One resident's messages (and Telegram's redeliveries of them)
// arrive at both at once; with the chat lock every turn sees the one
// before it: no state update is lost, no ticket opened twice, no message
// handled twice.
func TestChatTurnsAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	// An empty corpus: every question is one the bot cannot answer, which
	// counts in the conversation's state (misses) and opens a ticket at
	// the second.
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	var engines []bot.Handling
	for range 2 {
		eng, err := bot.New(bot.Config{Pool: pool, Answerer: kb, Desk: handoff.New(pool, nil), Hotline: "12345", RateBurst: 1000, RatePerSec: 1000})
		require.NoError(t, err)
		cfg := pool.Config().Copy()
		cfg.MaxConns = 4
		locks, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(locks.Close)
		engines = append(engines, bot.NewChatLock(eng, locks))
	}
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		for copy := range 2 { // each update delivered twice, to both servers
			wg.Add(1)
			go func() {
				defer wg.Done()
				ev := bot.Event{Address: chat.Address{Channel: "telegram", ID: "42"}, Kind: bot.KindText,
					Text: "火星上的低保怎么领第" + strconv.Itoa(i) + "次", EventID: "tg:" + strconv.Itoa(1000+i)}
				_, err := engines[(i+copy)%2].Handle(ctx, ev)
				require.NoError(t, err)
			}()
		}
	}
	wg.Wait()
	var misses, tickets, questions int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (state->>'misses')::int FROM bot_conversations WHERE chat_id = '42'`).Scan(&misses))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM handoff_tickets WHERE chat_id = '42'`).Scan(&tickets))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM questions WHERE chat_id = '42'`).Scan(&questions))
	require.Equal(t, n, questions, "each update handled once")
	require.Equal(t, 1, tickets)
	require.Equal(t, n-2, misses, "the second miss opens the ticket and starts the count again")
}
