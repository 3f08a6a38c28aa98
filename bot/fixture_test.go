package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/questions"
)

// corpusDir finds ../shared/corpus beside the module root.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found above the test")
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus")
	_, err = os.Stat(c)
	require.NoError(t, err, "the shared corpus must lie at ../shared/corpus beside the module")
	return c
}

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
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{Hotline: "12345"})
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
