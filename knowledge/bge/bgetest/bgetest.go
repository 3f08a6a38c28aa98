// Package bgetest gives tests the default embedding model, bge-small-zh,
// opened once per test binary, with its vectors kept by text: tests of
// many packages ingest the same policy documents into fresh databases, and
// embedding them once is enough.
package bgetest

import (
	"context"
	"sync"
	"testing"

	"github.com/safetynet/safetynet/knowledge/bge"
)

var (
	once   sync.Once
	shared *Embedder
	err    error
)

// Embedder is bge with a cache of the vectors it has made.
type Embedder struct {
	*bge.Embedder
	mu   sync.Mutex
	vecs map[string][]float32
}

// New returns the shared model. The test fails (never skips) when the
// model files are missing: make test fetches them.
func New(tb testing.TB) *Embedder {
	tb.Helper()
	once.Do(func() {
		var e *bge.Embedder
		e, err = bge.Open(bge.DefaultDir())
		if err == nil {
			shared = &Embedder{Embedder: e, vecs: map[string][]float32{}}
		}
	})
	if err != nil {
		tb.Fatalf("the embedding model is needed (run make model, or set %s): %v", bge.DirEnv, err)
	}
	return shared
}

// Embed embeds the passages not seen before and returns every vector.
func (c *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
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
	vs, err := c.Embedder.Embed(ctx, todo)
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
