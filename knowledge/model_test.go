package knowledge_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/llm"
	"github.com/safetynet/safetynet/internal/llmtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// TestSwitchEmbeddingModel: vectors are stored per model; switching to a
// model embedder re-embeds the unchanged corpus beside the built-in
// vectors, and search then runs on the new model's own index.
func TestSwitchEmbeddingModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, pool := builtinCorpusService(t, knowledge.Options{})
	srv := llmtest.New(llmtest.WithEmbeddingDim(256))
	defer srv.Close()
	c := llm.New(llm.Config{BaseURL: srv.BaseURL(), APIKey: srv.Key(), EmbedModel: llmtest.DefaultEmbedModel})
	emb, err := llm.NewEmbedder(ctx, c)
	require.NoError(t, err)
	svc := knowledge.New(pool, emb, knowledge.Options{})
	require.NoError(t, svc.EnsureIndex(ctx))

	rep, err := svc.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	require.Equal(t, 5, rep.DocsUnchanged)
	var chunks, builtin, model int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM chunks),
		(SELECT count(*) FROM chunk_embeddings WHERE model = $1),
		(SELECT count(*) FROM chunk_embeddings WHERE model = $2)`, knowledge.BuiltinModel, llmtest.DefaultEmbedModel).Scan(&chunks, &builtin, &model))
	require.Equal(t, chunks, rep.Reembedded)
	require.Equal(t, chunks, builtin)
	require.Equal(t, chunks, model)

	ans, err := svc.Ask(ctx, "贵州2020年农村低保标准是多少？", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.Equal(t, "004_f3d72d4f8696011b.txt", ans.Citations[0].Doc)
}

// A model's vector index made before the wider HNSW build (pgvector's
// defaults) is made again the next time the service starts; the built-in
// model's comes so from the migrations.
func TestVectorIndexBuiltWide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	options := func(where string) []string {
		var opts []string
		require.NoError(t, pool.QueryRow(ctx, `SELECT coalesce(c.reloptions, '{}') FROM pg_index i
			JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = 'chunk_embeddings'::regclass AND pg_get_expr(i.indpred, i.indrelid) LIKE $1`, "%"+where+"%").Scan(&opts))
		return opts
	}
	require.Contains(t, options("builtin-v1"), "ef_construction=200")

	svc := knowledge.New(pool, modelEmbedder(t), knowledge.Options{})
	require.NoError(t, svc.EnsureIndex(ctx))
	model := modelEmbedder(t).Model()
	require.Contains(t, options(model), "ef_construction=200")

	// As an earlier version built it.
	var name string
	require.NoError(t, pool.QueryRow(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = 'chunk_embeddings'::regclass AND pg_get_expr(i.indpred, i.indrelid) LIKE $1`, "%"+model+"%").Scan(&name))
	_, err := pool.Exec(ctx, `DROP INDEX `+name)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `CREATE INDEX `+name+` ON chunk_embeddings USING hnsw ((embedding::vector(512)) vector_cosine_ops)
		WHERE model = '`+model+`'`)
	require.NoError(t, err)
	require.NotContains(t, options(model), "ef_construction=200")

	require.NoError(t, svc.EnsureIndex(ctx))
	require.Contains(t, options(model), "ef_construction=200")
	require.NoError(t, svc.EnsureIndex(ctx), "a second start leaves it be")
}
