package knowledge_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge/bgetest"
)

// corpusDir is the shared policy corpus (../shared/corpus beside the module).
func corpusDir(t testing.TB) string { t.Helper(); return fixtures.Corpus(t) }

func evalFile(t testing.TB) string {
	return filepath.Join(filepath.Dir(corpusDir(t)), "eval", "questions.jsonl")
}

// corpusService is a Service over a fresh database holding the whole
// corpus, with the default embedder: bge-small-zh (make test fetches it).
func corpusService(t testing.TB, opts knowledge.Options) (*knowledge.Service, *pgxpool.Pool) {
	t.Helper()
	return corpusServiceWith(t, modelEmbedder(t), opts)
}

// builtinCorpusService is the same with the built-in embedder, the
// fallback when the model files are missing.
func builtinCorpusService(t testing.TB, opts knowledge.Options) (*knowledge.Service, *pgxpool.Pool) {
	t.Helper()
	return corpusServiceWith(t, knowledge.NewBuiltin(), opts)
}

// modelEmbedder is the default model, shared by the tests of the binary.
func modelEmbedder(t testing.TB) knowledge.QueryEmbedder { return bgetest.New(t) }

func corpusServiceWith(t testing.TB, emb knowledge.Embedder, opts knowledge.Options) (*knowledge.Service, *pgxpool.Pool) {
	t.Helper()
	pool := testdb.New(t)
	svc := knowledge.New(pool, emb, opts)
	require.NoError(t, svc.EnsureIndex(context.Background()))
	rep, err := svc.Ingest(context.Background(), corpusDir(t))
	require.NoError(t, err)
	require.Empty(t, rep.Failed)
	require.Equal(t, 5, rep.DocsAdded)
	return svc, pool
}
