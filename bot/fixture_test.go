package bot_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge/bgetest"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/questions"
)

// corpusDir is the shared policy corpus (../shared/corpus beside the module).
func corpusDir(t testing.TB) string { t.Helper(); return fixtures.Corpus(t) }

type fixture struct {
	pool *pgxpool.Pool
	kb   *knowledge.Service
	desk *handoff.Desk
	log  *questions.Log
	eng  *bot.Engine
	cfg  bot.Config
}

// newFixture is an engine over a fresh database holding the policy corpus.
func newFixture(t *testing.T, tweak ...func(*bot.Config)) *fixture {
	t.Helper()
	return newBenchFixture(t, tweak...)
}

func newBenchFixture(t testing.TB, tweak ...func(*bot.Config)) *fixture {
	t.Helper()
	pool := testdb.New(t)
	kb := knowledge.New(pool, bgetest.New(t), knowledge.Options{Hotline: "12345"})
	require.NoError(t, kb.EnsureIndex(context.Background()))
	_, err := kb.Ingest(context.Background(), corpusDir(t))
	require.NoError(t, err)
	f := &fixture{pool: pool, kb: kb, desk: handoff.New(pool, nil), log: questions.New(pool)}
	f.cfg = bot.Config{Pool: pool, Answerer: kb, Desk: f.desk, Hotline: "12345",
		Wizard: bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"}}}
	for _, tw := range tweak {
		tw(&f.cfg)
	}
	f.eng, err = bot.New(f.cfg)
	require.NoError(t, err)
	return f
}

// restart is a new engine on the same database, as after a deploy.
func (f *fixture) restart(t testing.TB) {
	t.Helper()
	var err error
	f.eng, err = bot.New(f.cfg)
	require.NoError(t, err)
}
