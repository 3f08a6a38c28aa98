package knowledge_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

// TestEvalBars keeps the bars in CI: on the shared question file,
// built-in embedder, no LLM: hit@5 ≥ 0.95, hit@1 ≥ 0.80, out of scope refused.
func TestEvalBars(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	f, err := os.Open(evalFile(t))
	require.NoError(t, err)
	defer f.Close()
	qs, err := knowledge.ReadQuestions(f)
	require.NoError(t, err)

	rep, err := svc.Eval(context.Background(), qs, 5)
	require.NoError(t, err)
	t.Log("\n" + rep.String())
	require.GreaterOrEqual(t, rep.HitK, 0.95, "hit@5")
	require.GreaterOrEqual(t, rep.Hit1, 0.80, "hit@1")
	require.Equal(t, rep.Unanswerable, rep.Refused, "out-of-scope questions refused")
}
