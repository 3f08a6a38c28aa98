package knowledge

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Embedder turns texts into vectors. Model names the vector space: vectors
// of different models are stored side by side and never compared.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Model() string
	Dim() int
}

// QueryEmbedder is an Embedder whose model embeds a search query
// differently from a passage (bge models prefix queries with an
// instruction). Search uses EmbedQuery when the embedder has it.
type QueryEmbedder interface {
	Embedder
	EmbedQuery(ctx context.Context, query string) ([]float32, error)
}

// BuiltinModel is the model name of the built-in embedder. Bump the version
// when its features change, so stored vectors are re-embedded.
const BuiltinModel = "builtin-v1"

// BuiltinDim is the dimension of the built-in embedder's vectors.
const BuiltinDim = 512

// Builtin is the default embedder: deterministic, no network. It hashes
// Chinese character unigrams, bigrams and gse words into BuiltinDim signed
// buckets with sublinear term frequency, and normalises to unit length, so
// cosine similarity rewards shared words and phrases.
type Builtin struct{}

// NewBuiltin returns the built-in embedder.
func NewBuiltin() Builtin { return Builtin{} }

// Model implements Embedder.
func (Builtin) Model() string { return BuiltinModel }

// Dim implements Embedder.
func (Builtin) Dim() int { return BuiltinDim }

// Embed implements Embedder.
func (b Builtin) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = b.vector(t)
	}
	return out, nil
}

// commonChars are so frequent in policy prose that they say nothing about
// a passage's topic; they keep a small weight so very short texts still
// embed.
const commonChars = "的是在了和有与及对为中人年等以不将这其一个上下到于由并或把被所也要就都而" +
	"之可已向作从进行实现推动加强完善建立健全工作开展落实做好相关有关按照规定"

func (Builtin) vector(text string) []float32 {
	type feature struct{ count, weight float64 }
	feats := map[string]*feature{}
	add := func(f string, w float64) {
		if x := feats[f]; x != nil {
			x.count++
			return
		}
		feats[f] = &feature{count: 1, weight: w}
	}
	var run []rune // the current run of Han characters
	flush := func() {
		for i, r := range run {
			w := 0.5
			if strings.ContainsRune(commonChars, r) {
				w = 0.1
			}
			add("u"+string(r), w)
			if i+1 < len(run) {
				add("b"+string(run[i:i+2]), 1)
			}
		}
		run = run[:0]
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		flush()
	}
	flush()
	for _, w := range Words(text) {
		if isStop(w) {
			continue
		}
		add("w"+w, 1)
	}

	v := make([]float64, BuiltinDim)
	for f, ft := range feats {
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		// Sublinear tf: a word said ten times is not ten times the topic.
		v[x%BuiltinDim] += sign * ft.weight * (1 + math.Log(ft.count))
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, BuiltinDim)
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}
