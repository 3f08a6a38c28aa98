package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

func readQuestions(t *testing.T, path string) []knowledge.EvalQuestion {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	qs, err := knowledge.ReadQuestions(f)
	require.NoError(t, err)
	return qs
}

// TestEvalBars keeps the bars of the shared question file in CI, with the
// default embedder and no LLM: hit@1 ≥ 0.90, hit@5 ≥ 0.97, every
// out-of-scope question refused.
func TestEvalBars(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	rep, err := svc.Eval(context.Background(), readQuestions(t, evalFile(t)), 5)
	require.NoError(t, err)
	t.Log("\n" + rep.String())
	require.GreaterOrEqual(t, rep.Hit1, 0.90, "hit@1")
	require.GreaterOrEqual(t, rep.HitK, 0.97, "hit@5")
	require.Equal(t, rep.Unanswerable, rep.Refused, "out-of-scope questions refused")
	require.Zero(t, rep.WronglyRefused, "answerable questions refused")
}

// TestEvalBarsBuiltin: the fallback embedder, used when the model files are
// missing, still answers the shared questions well enough.
func TestEvalBarsBuiltin(t *testing.T) {
	t.Parallel()
	svc, _ := builtinCorpusService(t, knowledge.Options{})
	rep, err := svc.Eval(context.Background(), readQuestions(t, evalFile(t)), 5)
	require.NoError(t, err)
	t.Log("\n" + rep.String())
	require.GreaterOrEqual(t, rep.Hit1, 0.85, "hit@1")
	require.GreaterOrEqual(t, rep.HitK, 0.95, "hit@5")
	require.Positive(t, rep.Refused, "out-of-scope questions refused")
	require.Zero(t, rep.WronglyRefused, "answerable questions refused")
}

// TestResidentSet measures our own resident questions (testdata/README.md).
// Most of them are the bundled examples now (knowledge/data/examples.jsonl):
// asked as they are, they would find their own example, so one of those
// sets is asked with every example but the question's own, as a new
// question is. Hold-out 4 is no example and was never tuned on. The floors
// are below what was measured when they were set, to catch a regression,
// not to flatter: the figures are logged.
func TestResidentSet(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	for _, c := range []struct {
		file                 string
		use                  knowledge.ExampleUse
		hit1, hit5, refusedO float64
		refusedA             float64 // at most this share of answerable ones refused
	}{
		// Hold-out 2 among the examples, without its own: measured 0.900,
		// 0.990, 18 of 20, 1 of 100.
		{"resident_holdout2.jsonl", knowledge.OtherExamples, 0.85, 0.95, 0.85, 0.03},
		// Written blind while the examples were written, by a writer who
		// saw only the documents; measured 0.920, 0.960, 19 of 20, 3 of
		// 100 (0.580, 0.800, 16 of 20, 7 of 100 without examples).
		{"resident_holdout4.jsonl", knowledge.AllExamples, 0.87, 0.93, 0.85, 0.04},
	} {
		qs := readQuestions(t, filepath.Join("testdata", c.file))
		rep, err := svc.EvalWith(context.Background(), qs, knowledge.AskOptions{K: 5, Examples: c.use})
		require.NoError(t, err)
		t.Logf("%s\n%s", c.file, rep.String())
		require.GreaterOrEqual(t, len(qs), 100, c.file)
		require.GreaterOrEqual(t, rep.Hit1, c.hit1, "%s hit@1", c.file)
		require.GreaterOrEqual(t, rep.HitK, c.hit5, "%s hit@5", c.file)
		require.GreaterOrEqual(t, float64(rep.Refused)/float64(rep.Unanswerable), c.refusedO, "%s out of scope refused", c.file)
		require.LessOrEqual(t, float64(rep.WronglyRefused)/float64(rep.Answerable), c.refusedA, "%s answerable refused", c.file)
	}
}

// TestNotesStepAsideForTheirSources: make run's starter notes summarise the
// shared documents in plainer words. With both ingested, the originals are
// cited first: without that, the dev file's hit@1 fell to 0.31.
func TestNotesStepAsideForTheirSources(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	rep, err := svc.Ingest(context.Background(), filepath.Join("corpus"))
	require.NoError(t, err)
	require.Empty(t, rep.Failed)
	require.Positive(t, rep.DocsAdded, "the starter notes are ingested beside the originals")
	ev, err := svc.Eval(context.Background(), readQuestions(t, evalFile(t)), 5)
	require.NoError(t, err)
	t.Log("\n" + ev.String())
	require.GreaterOrEqual(t, ev.Hit1, 0.85, "hit@1 with the notes beside their sources")
	require.GreaterOrEqual(t, ev.HitK, 0.95, "hit@5 with the notes beside their sources")
}
