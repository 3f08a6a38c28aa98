package llmtest

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// Embed is the vector the server returns for text: feature hashing of the
// text's characters and character bigrams, normalised to unit length. It
// is deterministic, and texts that share wording get a higher cosine
// similarity, so retrieval tests rank sensibly without a model. Exported
// so tests can compute expected vectors.
func Embed(text string, dim int) []float32 {
	v := make([]float64, dim)
	// add hashes a feature (one or two runes) with FNV-1a inline, so a
	// long passage costs no allocation per feature.
	add := func(a, b rune, weight float64) {
		const offset, prime = 14695981039346656037, 1099511628211
		h := uint64(offset)
		var buf [2 * utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], a)
		if b != 0 {
			n += utf8.EncodeRune(buf[n:], b)
		}
		for _, c := range buf[:n] {
			h = (h ^ uint64(c)) * prime
		}
		sign := 1.0
		if h>>63 == 1 {
			sign = -1
		}
		v[h%uint64(dim)] += sign * weight
	}
	var prev rune
	for _, r := range strings.ToLower(text) {
		if unicode.IsSpace(r) || unicode.IsPunct(r) {
			prev = 0
			continue
		}
		add(r, 0, 0.5)
		if prev != 0 {
			add(prev, r, 1)
		}
		prev = r
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dim)
	if norm == 0 {
		// A zero vector has no cosine distance; give empty text a fixed
		// direction instead.
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

type embeddingRequest struct {
	Input          json.RawMessage `json:"input"`
	Model          string          `json:"model"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     int             `json:"dimensions"`
}

// inputs accepts every form of "input" the API does: a string, strings,
// a token array, token arrays. Tokens are embedded by their decimal text.
func (r embeddingRequest) inputs() ([]string, error) {
	var one string
	if json.Unmarshal(r.Input, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(r.Input, &many) == nil {
		return many, nil
	}
	var toks []int
	if json.Unmarshal(r.Input, &toks) == nil {
		return []string{joinInts(toks)}, nil
	}
	var tokss [][]int
	if json.Unmarshal(r.Input, &tokss) == nil {
		out := make([]string, len(tokss))
		for i, t := range tokss {
			out[i] = joinInts(t)
		}
		return out, nil
	}
	return nil, fmt.Errorf("'input' must be a string, an array of strings or an array of token arrays")
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, " ")
}

func (s *Server) embeddings(_ context.Context, w http.ResponseWriter, body []byte, fail *Error) {
	var req embeddingRequest
	err := json.Unmarshal(body, &req)
	var inputs []string
	if err == nil {
		inputs, err = req.inputs()
	}
	s.mu.Lock()
	s.calls["embeddings"]++
	if err == nil {
		s.embeds = append(s.embeds, EmbeddingRequest{Model: req.Model, Inputs: inputs, Dimensions: req.Dimensions, At: time.Now()})
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		writeError(w, &Error{Status: http.StatusBadRequest, Message: err.Error()})
		return
	case fail != nil:
		writeError(w, fail)
		return
	case req.Model == "":
		writeError(w, &Error{Status: http.StatusBadRequest, Message: "you must provide a model parameter"})
		return
	case len(inputs) == 0:
		writeError(w, &Error{Status: http.StatusBadRequest, Message: "'input' must not be empty"})
		return
	}
	dim := s.cfg.dim
	if req.Dimensions > 0 {
		dim = req.Dimensions
	}
	type item struct {
		Object    string `json:"object"`
		Embedding any    `json:"embedding"`
		Index     int    `json:"index"`
	}
	resp := struct {
		Object string       `json:"object"`
		Data   []item       `json:"data"`
		Model  string       `json:"model"`
		Usage  openai.Usage `json:"usage"`
	}{Object: "list", Model: req.Model, Data: make([]item, len(inputs))}
	for i, in := range inputs {
		vec := Embed(in, dim)
		var enc any = vec
		if req.EncodingFormat == "base64" {
			// Little-endian float32s, as OpenAI encodes them.
			buf := make([]byte, 4*len(vec))
			for j, x := range vec {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
			}
			enc = base64.StdEncoding.EncodeToString(buf)
		}
		resp.Data[i] = item{Object: "embedding", Embedding: enc, Index: i}
		resp.Usage.PromptTokens += tokens(in)
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens
	writeJSON(w, resp)
}
