// Package bge runs bge-small-zh-v1.5, a Chinese sentence-embedding model
// (BAAI, MIT licence), int8-quantised, through ONNX Runtime, offline: the
// library and the model are files fetched once by scripts/setup-model.sh.
//
// Vectors are 512-d, from the [CLS] token, L2-normalised, so cosine
// similarity is a dot product. Queries are prefixed with the model's
// retrieval instruction (EmbedQuery); passages are not (Embed).
package bge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
)

// ModelName names the vector space of this embedder. Vectors of different
// models are stored side by side and never compared.
const ModelName = "bge-small-zh-v1.5-int8"

// Dim is the length of the vectors.
const Dim = 512

// QueryInstruction is what bge-*-zh-v1.5 puts before a short query to find
// passages that answer it (the model card's retrieval instruction).
const QueryInstruction = "为这个句子生成表示以用于检索相关文章："

// ErrClosed is returned by an Embedder used after Close.
var ErrClosed = errors.New("bge embedder is closed")

// Embedder embeds texts with the model. Safe for concurrent use: runs of
// the model from every caller share a fixed number of slots, so a burst of
// calls queues instead of oversubscribing the cores.
type Embedder struct {
	tok  *Tokenizer
	sess session
	cfg  config

	slots chan struct{} // one token per model run allowed at once

	mu     sync.RWMutex // held shared by runs, exclusively by Close
	closed bool
}

type config struct {
	threads   int // intra-op threads of one run
	parallel  int // runs at once
	batchSize int // texts in one run
	maxTokens int
}

// Option changes how Open sets the model up.
type Option func(*config)

// WithThreads sets the threads one run of the model uses (ONNX Runtime's
// intra-op threads). The default, 1, leaves the cores to parallel runs:
// on a busy 2-core machine a second thread did not make a query faster
// (p50 12-16 ms either way, about 11 ms of CPU) and cost CPU per passage
// (93 ms against 77-90 ms); see BenchmarkEmbedQuery and
// BenchmarkEmbedPassages.
func WithThreads(n int) Option { return func(c *config) { c.threads = n } }

// WithParallel sets how many runs of the model go at once, across all
// callers. The default is the number of CPUs.
func WithParallel(n int) Option { return func(c *config) { c.parallel = n } }

// WithBatchSize sets how many texts go into one run. The default is 1,
// and for this model it is also the fastest we measured. More than 1 makes
// a vector depend on the texts beside it: the int8 model quantises its
// activations with one scale for the whole batch, so the same passage
// comes out up to 0.02 different per component (cosine about 0.995) from
// one batch to another, and a stored vector could not be reproduced.
func WithBatchSize(n int) Option { return func(c *config) { c.batchSize = n } }

// WithMaxTokens caps the tokens of one text, [CLS] and [SEP] included
// (at most and by default MaxTokens): attention costs grow with the square
// of the length.
func WithMaxTokens(n int) Option { return func(c *config) { c.maxTokens = n } }

// Open loads ONNX Runtime and the model from dir (see DefaultDir), which
// takes about a tenth of a second. A file missing from dir gives an error
// wrapping ErrModelMissing. Close the Embedder when done. Open may be
// called more than once; the library is loaded by the first call.
func Open(dir string, opts ...Option) (*Embedder, error) {
	cfg := config{threads: 1, parallel: runtime.NumCPU(), batchSize: 1, maxTokens: MaxTokens}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.threads < 1:
		return nil, fmt.Errorf("bge: threads %d: want at least 1", cfg.threads)
	case cfg.parallel < 1:
		return nil, fmt.Errorf("bge: parallel %d: want at least 1", cfg.parallel)
	case cfg.batchSize < 1:
		return nil, fmt.Errorf("bge: batch size %d: want at least 1", cfg.batchSize)
	case cfg.maxTokens < 2 || cfg.maxTokens > MaxTokens:
		return nil, fmt.Errorf("bge: max tokens %d: want 2 to %d", cfg.maxTokens, MaxTokens)
	}
	if err := checkFiles(dir); err != nil {
		return nil, err
	}
	tok, err := LoadTokenizer(filepath.Join(dir, VocabFile), filepath.Join(dir, TokenizerConfigFile))
	if err != nil {
		return nil, fmt.Errorf("bge: %w", err)
	}
	sess, err := newSession(filepath.Join(dir, LibraryFile), filepath.Join(dir, ModelFile), cfg)
	if err != nil {
		return nil, fmt.Errorf("bge: %w", err)
	}
	e := &Embedder{tok: tok, sess: sess, cfg: cfg, slots: make(chan struct{}, cfg.parallel)}
	return e, nil
}

// Model implements knowledge.Embedder.
func (e *Embedder) Model() string { return ModelName }

// Dim implements knowledge.Embedder.
func (e *Embedder) Dim() int { return Dim }

// Tokenizer returns the model's tokenizer.
func (e *Embedder) Tokenizer() *Tokenizer { return e.tok }

// EmbedQuery embeds a search query, with the retrieval instruction before
// it, to be compared with passages embedded by Embed.
func (e *Embedder) EmbedQuery(ctx context.Context, query string) ([]float32, error) {
	v, err := e.Embed(ctx, []string{QueryInstruction + query})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// EmbedQueries embeds many search queries, as EmbedQuery does each, in
// Embed's parallel batches.
func (e *Embedder) EmbedQueries(ctx context.Context, queries []string) ([][]float32, error) {
	texts := make([]string, len(queries))
	for i, q := range queries {
		texts[i] = QueryInstruction + q
	}
	return e.Embed(ctx, texts)
}

// Embed embeds passages, one vector per text in order. Batches run in
// parallel, longest first so that no long text is left running alone at
// the end; texts of a batch (see WithBatchSize) are of similar length, so
// short ones are not padded to the longest.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	ids := make([][]int64, len(texts))
	order := make([]int, len(texts))
	for i, t := range texts {
		ids[i] = e.tok.EncodeMax(t, e.cfg.maxTokens)
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(ids[b]) - len(ids[a]) })

	var batches [][]int
	for b := range slices.Chunk(order, e.cfg.batchSize) {
		batches = append(batches, b)
	}
	work := make(chan []int)
	errs := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range min(e.cfg.parallel, len(batches)) {
		wg.Go(func() {
			for batch := range work {
				rows := make([][]int64, len(batch))
				for j, i := range batch {
					rows[j] = ids[i]
				}
				vecs, err := e.run(ctx, rows)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					cancel()
					continue
				}
				for j, i := range batch {
					out[i] = vecs[j]
				}
			}
		})
	}
feed:
	for _, b := range batches {
		select {
		case work <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	var err error
	select {
	case err = <-errs:
	default:
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("bge: embed %d texts: %w", len(texts), err)
	}
	return out, nil
}

// run embeds one batch of token sequences: pads them to the longest, runs
// the model, and keeps the [CLS] row of each, normalised.
func (e *Embedder) run(ctx context.Context, rows [][]int64) ([][]float32, error) {
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, ErrClosed
	}

	n, width := len(rows), 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	inputIDs := make([]int64, n*width)
	if t := e.tok.pad; t != 0 {
		for k := range inputIDs {
			inputIDs[k] = t
		}
	}
	mask := make([]int64, n*width) // 0: padding, not attended to
	for i, r := range rows {
		copy(inputIDs[i*width:], r)
		for j := range r {
			mask[i*width+j] = 1
		}
	}
	cls, err := e.sess.run(inputIDs, mask, n, width)
	if err != nil {
		return nil, fmt.Errorf("run model on %d texts of up to %d tokens: %w", n, width, err)
	}
	vecs := make([][]float32, n)
	for i := range vecs {
		vecs[i] = normalize(cls[i])
	}
	return vecs, nil
}

// normalize returns v scaled to unit length (a copy: v is the output
// tensor's memory).
func normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// Close releases the model. Runs in flight finish first; later calls fail
// with ErrClosed. ONNX Runtime itself stays loaded for other Embedders.
func (e *Embedder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.sess.destroy(); err != nil {
		return fmt.Errorf("bge: close: %w", err)
	}
	return nil
}
