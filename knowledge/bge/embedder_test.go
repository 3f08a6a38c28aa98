package bge_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge"
)

// The embedder is what the knowledge base takes.
var _ knowledge.QueryEmbedder = (*bge.Embedder)(nil)

func openEmbedder(t testing.TB, opts ...bge.Option) *bge.Embedder {
	t.Helper()
	e, err := bge.Open(modelDir(t), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// Texts of very different lengths, so batches pad some of them a lot.
var passages = []string{
	"低保标准是多少",
	"最低生活保障标准",
	"医保卡丢了怎么补办",
	"",
	"城市低保标准为每人每月850元，农村为每人每年7200元。",
	"特困人员救助供养包括基本生活条件、照料服务、疾病治疗和殡葬事宜。",
	"Temporary assistance is granted to households in sudden hardship.",
	strings.Repeat("临时救助金额一般不超过当地6个月低保标准，急难型临时救助可以先行救助，事后补充说明情况。", 12),
	"低收入家庭认定：家庭人均收入低于当地低保标准1.5倍，且财产符合规定。",
}

func TestOpenNamesMissingFiles(t *testing.T) {
	t.Parallel()
	_, err := bge.Open(t.TempDir())
	require.ErrorIs(t, err, bge.ErrModelMissing)
	for _, want := range []string{bge.ModelFile, bge.LibraryFile, bge.VocabFile, "make model", bge.DirEnv} {
		require.ErrorContains(t, err, want)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	t.Parallel()
	dir := modelDir(t)
	for name, o := range map[string]bge.Option{
		"threads": bge.WithThreads(0), "parallel": bge.WithParallel(-1),
		"batch size": bge.WithBatchSize(0), "max tokens": bge.WithMaxTokens(513),
	} {
		_, err := bge.Open(dir, o)
		require.ErrorContains(t, err, name)
	}
}

func TestEmbedUnitNormAndDeterministic(t *testing.T) {
	t.Parallel()
	e := openEmbedder(t)
	require.Equal(t, "bge-small-zh-v1.5-int8", e.Model())
	require.Equal(t, 512, e.Dim())
	ctx := context.Background()
	a, err := e.Embed(ctx, passages)
	require.NoError(t, err)
	require.Len(t, a, len(passages))
	for i, v := range a {
		require.Len(t, v, 512)
		require.InDelta(t, 1, math.Sqrt(dot(v, v)), 1e-5, "vector %d not of unit length", i)
	}
	b, err := e.Embed(ctx, passages)
	require.NoError(t, err)
	require.Equal(t, a, b, "the same texts embed differently on a second call")

	none, err := e.Embed(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestEmbedParaphraseCloserThanUnrelated(t *testing.T) {
	t.Parallel()
	e := openEmbedder(t)
	ctx := context.Background()
	v, err := e.Embed(ctx, []string{"低保标准是多少", "最低生活保障标准", "医保卡丢了怎么补办"})
	require.NoError(t, err)
	para, unrelated := dot(v[0], v[1]), dot(v[0], v[2])
	require.Greater(t, para, unrelated, "paraphrase %.3f should beat unrelated %.3f", para, unrelated)

	// A query, with its instruction, finds the passage that answers it.
	q, err := e.EmbedQuery(ctx, "农村低保一个月发多少钱")
	require.NoError(t, err)
	docs, err := e.Embed(ctx, []string{
		"城市低保标准为每人每月850元，农村为每人每年7200元。",
		"医疗保障卡遗失后，可携带身份证到医保经办窗口申请补办。",
		"特困人员救助供养包括基本生活条件、照料服务、疾病治疗和殡葬事宜。",
	})
	require.NoError(t, err)
	best := 0
	for i := range docs {
		if dot(q, docs[i]) > dot(q, docs[best]) {
			best = i
		}
	}
	require.Equal(t, 0, best, "query scores: %.3f %.3f %.3f", dot(q, docs[0]), dot(q, docs[1]), dot(q, docs[2]))
}

// A vector does not depend on the texts embedded with it: the passages
// embedded together (in parallel runs) equal each embedded alone.
func TestEmbedBatchEqualsOneAtATime(t *testing.T) {
	t.Parallel()
	e := openEmbedder(t)
	ctx := context.Background()
	batch, err := e.Embed(ctx, passages)
	require.NoError(t, err)
	for i, p := range passages {
		one, err := e.Embed(ctx, []string{p})
		require.NoError(t, err)
		require.LessOrEqual(t, maxDiff(batch[i], one[0]), 1e-4, "text %d (%.20q) differs in a batch", i, p)
	}
	q, err := e.EmbedQuery(ctx, "低保标准是多少")
	require.NoError(t, err)
	withPrefix, err := e.Embed(ctx, []string{bge.QueryInstruction + "低保标准是多少"})
	require.NoError(t, err)
	require.LessOrEqual(t, maxDiff(q, withPrefix[0]), 1e-4)
}

// With several texts in one run, the short ones are padded: the attention
// mask must hide the padding. Vectors then stay close to the ones made
// alone (cosine about 0.995: the int8 model quantises activations per
// batch, see WithBatchSize), where padding that leaked would bring the
// cosine down to about 0.5.
func TestEmbedPaddedBatchesStayClose(t *testing.T) {
	t.Parallel()
	alone := openEmbedder(t)
	batched := openEmbedder(t, bge.WithBatchSize(4))
	ctx := context.Background()
	want, err := alone.Embed(ctx, passages)
	require.NoError(t, err)
	got, err := batched.Embed(ctx, passages)
	require.NoError(t, err)
	for i := range passages {
		require.Greater(t, dot(want[i], got[i]), 0.97, "text %d (%.20q) in a padded batch", i, passages[i])
	}
}

func TestEmbedConcurrentUse(t *testing.T) {
	t.Parallel()
	e := openEmbedder(t, bge.WithParallel(3))
	ctx := context.Background()
	want, err := e.Embed(ctx, passages)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			// Each caller a different subset and order of the passages.
			var texts []string
			var idx []int
			for i := range passages {
				if (i+g)%3 != 0 {
					texts = append(texts, passages[i])
					idx = append(idx, i)
				}
			}
			got, err := e.Embed(ctx, texts)
			if err != nil {
				errs <- err
				return
			}
			for j, i := range idx {
				if d := maxDiff(got[j], want[i]); d > 1e-4 {
					errs <- fmt.Errorf("caller %d: passage %d differs by %g", g, i, d)
					return
				}
			}
			if _, err := e.EmbedQuery(ctx, passages[g%len(passages)]); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEmbedCanceledAndClosed(t *testing.T) {
	t.Parallel()
	e, err := bge.Open(modelDir(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Embed(ctx, passages)
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, e.Close())
	require.NoError(t, e.Close(), "closing twice")
	_, err = e.Embed(context.Background(), passages[:1])
	require.True(t, errors.Is(err, bge.ErrClosed), "after Close: %v", err)

	// ONNX Runtime stays loaded: a new Embedder opens after the first closed.
	again := openEmbedder(t)
	_, err = again.EmbedQuery(context.Background(), "低保")
	require.NoError(t, err)
}

func TestEmbedMaxTokens(t *testing.T) {
	t.Parallel()
	short := openEmbedder(t, bge.WithMaxTokens(16))
	full := openEmbedder(t)
	ctx := context.Background()
	long := passages[7]
	head := string([]rune(long)[:14]) // 14 ideographs: 14 tokens, +[CLS] +[SEP]
	a, err := short.Embed(ctx, []string{long})
	require.NoError(t, err)
	b, err := full.Embed(ctx, []string{head})
	require.NoError(t, err)
	require.LessOrEqual(t, maxDiff(a[0], b[0]), 1e-4, "a text cut at 16 tokens should embed as its first 14 characters")
}
