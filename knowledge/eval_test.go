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

// TestResidentSet measures our own resident questions (testdata/README.md):
// three sets the weights were chosen on, and a hold-out nothing was chosen
// on. The floors are below what was measured when they were set, to catch
// a regression, not to flatter: the figures are logged.
func TestResidentSet(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	for _, c := range []struct {
		file                 string
		hit1, hit5, refusedO float64
		refusedA             float64 // at most this share of answerable ones refused
	}{
		// Tuning data: the dev file and these two chose the weights.
		{"resident_tune.jsonl", 0.78, 0.92, 0.80, 0.03},
		{"resident_test.jsonl", 0.70, 0.83, 0.80, 0.03},
		// Written by someone who saw neither the system nor the sets above
		// (testdata/README.md). It became tuning data when the Okapi weight
		// was chosen on it with the others; measured then 0.655, 0.864,
		// 14 of 20, 4 of 110; 18 of 20 refused since dates are told from
		// spans and a place's figure is wanted.
		{"resident_holdout.jsonl", 0.62, 0.83, 0.80, 0.05},
		// Written afterwards by another who saw only the corpus, and never
		// tuned on: the floor is a little under what it measured (0.690,
		// 0.910, 16 of 20, 1 of 100; 0.700, 0.920 since places are read
		// with the gazetteer), to catch a fall, not to flatter.
		{"resident_holdout2.jsonl", 0.65, 0.87, 0.75, 0.03},
		// Written blind like hold-out 2, by a third writer, after every
		// setting here was chosen; run once to report (0.680, 0.920, 16 of
		// 20, 5 of 100). Five answerable questions refused is above the
		// issue's 3 %: the floor records it rather than hides it.
		{"resident_holdout3.jsonl", 0.64, 0.88, 0.75, 0.06},
	} {
		qs := readQuestions(t, filepath.Join("testdata", c.file))
		rep, err := svc.Eval(context.Background(), qs, 5)
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
