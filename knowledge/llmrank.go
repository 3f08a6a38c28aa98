package knowledge

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/safetynet/safetynet/prompts"
)

// With a language model configured, the question is also said in policy
// terms before search, and the best passages are ranked again by the
// model, which reads meaning where embeddings and words only approximate
// it. Either step failing leaves the search as it would be without a model.
const (
	rerankPassages = 20 // passages the model ranks
	rewriteMax     = 80 // characters of a rewrite kept
)

// rewrite asks the model for the question in policy terms; "" when the
// model fails or says nothing usable.
func (s *Service) rewrite(ctx context.Context, question string) string {
	system, err := prompts.Render("rewrite_system", nil)
	if err != nil {
		s.log.Warn("rewrite prompt", "err", err)
		return ""
	}
	user, err := prompts.Render("rewrite_user", map[string]any{"Question": asData(question)})
	if err != nil {
		s.log.Warn("rewrite prompt", "err", err)
		return ""
	}
	out, err := s.opts.Generator.Complete(ctx, system, user)
	if err != nil {
		s.log.Warn("question rewrite failed; searching the question as asked", "err", err)
		return ""
	}
	out = strings.TrimSpace(strings.SplitN(strings.TrimSpace(out), "\n", 2)[0])
	if utf8.RuneCountInString(out) > rewriteMax {
		out = string([]rune(out)[:rewriteMax])
	}
	return out
}

var reRank = regexp.MustCompile(`\d{1,2}`)

// rerank orders hits as the model ranks them: the passages it names first,
// in its order, then the others in search order, so that a passage the
// model overlooked is still cited after the ones it chose.
func (s *Service) rerank(ctx context.Context, question string, hits []hit) []hit {
	if len(hits) < 2 {
		return hits
	}
	srcs := make([]string, len(hits))
	for i, h := range hits {
		srcs[i] = asData(h.Title + " " + h.Section + "：" + h.item)
	}
	system, err := prompts.Render("rerank_system", nil)
	if err != nil {
		s.log.Warn("rerank prompt", "err", err)
		return hits
	}
	user, err := prompts.Render("rerank_user", map[string]any{"Question": asData(question), "Sources": srcs})
	if err != nil {
		s.log.Warn("rerank prompt", "err", err)
		return hits
	}
	out, err := s.opts.Generator.Complete(ctx, system, user)
	if err != nil {
		s.log.Warn("rerank failed; keeping the search order", "err", err)
		return hits
	}
	return reorder(hits, out)
}

// reorder applies a model's ranking ("4,1,7") to hits; numbers out of range
// or repeated are ignored.
func reorder(hits []hit, ranking string) []hit {
	taken := make([]bool, len(hits))
	out := make([]hit, 0, len(hits))
	for _, m := range reRank.FindAllString(ranking, -1) {
		n, _ := strconv.Atoi(m)
		if n < 1 || n > len(hits) || taken[n-1] {
			continue
		}
		taken[n-1] = true
		out = append(out, hits[n-1])
	}
	for i, h := range hits {
		if !taken[i] {
			out = append(out, h)
		}
	}
	// Scores follow the new order, so citations stay best first.
	for i := range out {
		out[i].Score = float64(len(out)-i) / float64(len(out))
	}
	return out
}
