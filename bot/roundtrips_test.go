package bot_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// roundTrips counts statements and batches sent: each is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// tracedPool is a fresh database whose pool counts its round trips.
func tracedPool(t *testing.T) (*pgxpool.Pool, *roundTrips) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testdb.URL(testdb.NewDatabase(t)))
	require.NoError(t, err)
	rt := &roundTrips{}
	cfg.ConnConfig.Tracer = rt
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool, rt
}

// TestTwoRoundTripsPerUpdate guards the hot path: a command or a wizard
// step costs the database two round trips, whatever the conversation holds.
func TestTwoRoundTripsPerUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, rt := tracedPool(t)
	eng, err := bot.New(bot.Config{Pool: pool, Answerer: knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{}), Hotline: "12345",
		Wizard: bot.EligibilityWizard{W: &eligibility.Wizard{}}})
	require.NoError(t, err)

	steps := []bot.Event{
		text(50, "/start"), text(50, "/help"), press(50, "l:en"),
		press(50, "w:urban"), // a spent button
		text(50, "/lang"),
	}
	for _, ev := range steps {
		before := rt.n.Load()
		_, err := eng.Handle(ctx, ev)
		require.NoError(t, err)
		require.LessOrEqual(t, rt.n.Load()-before, int64(2), "%+v", ev)
	}
	// The wizard: its start reads the operations switch (3), its steps do not.
	before := rt.n.Load()
	_, err = eng.Handle(ctx, text(50, "/check"))
	require.NoError(t, err)
	require.Equal(t, int64(3), rt.n.Load()-before)
	for _, ev := range []bot.Event{press(50, "w:guizhou-2020"), text(50, "农村"), text(50, "2")} {
		before := rt.n.Load()
		_, err := eng.Handle(ctx, ev)
		require.NoError(t, err)
		require.Equal(t, int64(2), rt.n.Load()-before, "%+v", ev)
	}
}
