package main

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge"
)

// Without the model files the knowledge base still works, on the built-in
// embedder, and the log says why and how to fetch the model.
func TestLocalEmbedderFallsBackWhenModelMissing(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	env := &Env{Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	env.Cfg.ModelDir = t.TempDir()
	emb, err := localEmbedder(env)
	require.NoError(t, err)
	require.Equal(t, knowledge.BuiltinModel, emb.Model())
	require.Contains(t, logs.String(), "falls back to the built-in embedder")
	require.Contains(t, logs.String(), "make model")
	require.Contains(t, logs.String(), bge.ModelFile)
}

// With the files (make model fetches them before the tests), the default
// is bge, closed with the command.
func TestLocalEmbedderIsBGE(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	env := &Env{Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	// Cfg.ModelDir empty: the default folder, or SAFETYNET_MODEL_DIR.
	emb, err := localEmbedder(env)
	require.NoError(t, err, "run `make model`")
	require.Equal(t, bge.ModelName, emb.Model())
	require.NotContains(t, logs.String(), `"level":"WARN"`, "no fallback warning")
	require.Contains(t, logs.String(), "embedding model loaded", "the service says which model it uses")
	env.close()
	_, err = emb.Embed(t.Context(), []string{"低保"})
	require.ErrorIs(t, err, bge.ErrClosed, "the command's end closes the model")
}
