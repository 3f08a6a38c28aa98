package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
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

func evalFile(t testing.TB) string {
	return filepath.Join(filepath.Dir(corpusDir(t)), "eval", "questions.jsonl")
}

// corpusService is a Service over a fresh database holding the whole corpus.
func corpusService(t testing.TB, opts knowledge.Options) (*knowledge.Service, *pgxpool.Pool) {
	t.Helper()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), opts)
	rep, err := svc.Ingest(context.Background(), corpusDir(t))
	require.NoError(t, err)
	require.Empty(t, rep.Failed)
	require.Equal(t, 5, rep.DocsAdded)
	return svc, pool
}
