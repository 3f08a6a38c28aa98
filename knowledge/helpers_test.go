package knowledge_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge"
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

var (
	modelOnce sync.Once
	model     *cachedEmbedder
	modelErr  error
)

// modelEmbedder is bge-small-zh, opened once for the test binary, with
// vectors kept by text: every test ingests the same corpus into its own
// database, and embedding it once is enough.
func modelEmbedder(t testing.TB) knowledge.QueryEmbedder {
	t.Helper()
	modelOnce.Do(func() {
		e, err := bge.Open(bge.DefaultDir())
		if err != nil {
			modelErr = err
			return
		}
		model = &cachedEmbedder{QueryEmbedder: e, vecs: map[string][]float32{}}
	})
	if modelErr != nil {
		t.Fatalf("the embedding model is needed (run make model, or set %s): %v", bge.DirEnv, modelErr)
	}
	return model
}

type cachedEmbedder struct {
	knowledge.QueryEmbedder
	mu   sync.Mutex
	vecs map[string][]float32
}

func (c *cachedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var todo []string
	var at []int
	c.mu.Lock()
	for i, t := range texts {
		if v, ok := c.vecs[t]; ok {
			out[i] = v
			continue
		}
		todo = append(todo, t)
		at = append(at, i)
	}
	c.mu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	vs, err := c.QueryEmbedder.Embed(ctx, todo)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, i := range at {
		out[i] = vs[j]
		c.vecs[todo[j]] = vs[j]
	}
	return out, nil
}

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
