package knowledge

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/safetynet/safetynet/prompts"
)

// generate asks the model for an answer from the passages and keeps only
// what the passages support. It returns "" when nothing supported remains,
// and the caller falls back to an extractive answer.
func (s *Service) generate(ctx context.Context, question string, cites []Citation) (string, error) {
	type source struct{ Title, Section, Text string }
	srcs := make([]source, len(cites))
	for i, c := range cites {
		srcs[i] = source{Title: asData(c.Title), Section: asData(c.Section), Text: asData(c.Text)}
	}
	system, err := prompts.Render("answer_system", map[string]any{"Hotline": s.opts.Hotline})
	if err != nil {
		return "", err
	}
	user, err := prompts.Render("answer_user", map[string]any{"Sources": srcs, "Question": asData(question)})
	if err != nil {
		return "", err
	}
	out, err := s.opts.Generator.Complete(ctx, system, user)
	if err != nil {
		return "", fmt.Errorf("generate answer: %w", err)
	}
	text, ok := checkCitations(out, cites, s.opts.Hotline, system)
	if !ok {
		s.log.Info("generated answer had no supported citation; answering from the passages")
		return "", nil
	}
	return text, nil
}

// asData keeps passage and question text from closing the prompt's
// <source>/<question> wrappers: angle brackets become look-alikes.
func asData(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›").Replace(s)
}

var (
	reMarker = regexp.MustCompile(`\s*[\[【［](\d{1,2})[\]】］]`)
	reLink   = regexp.MustCompile(`(?i)(https?://|www\.)[^\s，。；）)\]】]+`)
	reNumber = regexp.MustCompile(`\d+(?:\.\d+)?`)
)

// Support thresholds: the share of a sentence's character bigrams found in
// the passage it cites, and the least number of shared bigrams.
const (
	supportShare = 0.35
	supportMin   = 3
)

// checkCitations makes a generated answer's citations true. A sentence
// citing [n] must share enough wording with passage n: if it does not, the
// citation is moved to a passage that supports it, or the sentence is
// dropped (it claimed a source it does not have). Numbers to passages that
// do not exist, links not in the passages, and uncited sentences stating
// figures the passages do not give are removed. ok is false when no
// supported citation is left.
func checkCitations(answer string, cites []Citation, hotline, system string) (string, bool) {
	rules := bigramSet(system)
	var all strings.Builder
	for _, c := range cites {
		all.WriteString(c.Text)
	}
	corpus := all.String()
	answer = reLink.ReplaceAllStringFunc(answer, func(l string) string {
		if strings.Contains(corpus, l) {
			return l
		}
		return ""
	})

	passages := make([]map[string]bool, len(cites))
	for i, c := range cites {
		passages[i] = bigramSet(c.Text)
	}
	var out []string
	supported := 0
	for _, sent := range splitCited(answer) {
		content := strings.TrimSpace(reMarker.ReplaceAllString(sent, ""))
		if content == "" {
			continue
		}
		if leaks(content, rules) {
			continue // the model repeating its instructions
		}
		marks := reMarker.FindAllStringSubmatch(sent, -1)
		if len(marks) == 0 {
			if claimsUnsourcedFigure(content, corpus, hotline) {
				continue
			}
			out = append(out, content)
			continue
		}
		bg := bigramSet(content)
		var keep []int
		seen := map[int]bool{}
		for _, m := range marks {
			n, _ := strconv.Atoi(m[1])
			if n >= 1 && n <= len(cites) && supports(bg, passages[n-1]) && !seen[n] {
				keep = append(keep, n)
				seen[n] = true
			}
		}
		if len(keep) == 0 {
			// Repair: the best passage that supports the sentence, if any.
			best, bestShare := 0, 0.0
			for i, p := range passages {
				if sh := share(bg, p); sh > bestShare && supports(bg, p) {
					best, bestShare = i+1, sh
				}
			}
			if best == 0 {
				continue
			}
			keep = append(keep, best)
		}
		supported++
		var b strings.Builder
		b.WriteString(content)
		for _, n := range keep {
			fmt.Fprintf(&b, "[%d]", n)
		}
		out = append(out, b.String())
	}
	if supported == 0 {
		return "", false
	}
	return strings.Join(out, ""), true
}

// leaks reports whether a sentence repeats the system prompt.
func leaks(sentence string, rules map[string]bool) bool {
	bg := bigramSet(sentence)
	return len(bg) >= 8 && share(bg, rules) >= 0.6
}

// splitCited splits after sentence ends, keeping the citation markers that
// follow an end ("…保障。[1]") with the sentence they close.
func splitCited(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '。', '！', '？', '!', '?', '\n':
		case '.':
			// A full stop, not a decimal point.
			if i+1 < len(rs) && unicode.IsDigit(rs[i+1]) {
				continue
			}
		default:
			continue
		}
		end := i + 1
		if loc := reMarker.FindStringIndex(string(rs[end:])); loc != nil && loc[0] == 0 {
			// Take all markers that follow at once.
			rest := string(rs[end:])
			n := 0
			for {
				l := reMarker.FindStringIndex(rest[n:])
				if l == nil || l[0] != 0 {
					break
				}
				n += l[1]
			}
			end += len([]rune(rest[:n]))
		}
		out = append(out, string(rs[start:end]))
		start = end
		i = end - 1
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// claimsUnsourcedFigure reports whether an uncited sentence states a
// number that no passage gives (the hotline excepted).
func claimsUnsourcedFigure(s, corpus, hotline string) bool {
	for _, n := range reNumber.FindAllString(s, -1) {
		if n != hotline && !strings.Contains(corpus, n) {
			return true
		}
	}
	return false
}

// bigramSet is the set of adjacent letter/digit pairs of s, punctuation and
// spaces dropped: robust to the small rewordings a model makes.
func bigramSet(s string) map[string]bool {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	set := make(map[string]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		set[string(rs[i:i+2])] = true
	}
	return set
}

func share(sentence, passage map[string]bool) float64 {
	if len(sentence) == 0 {
		return 0
	}
	n := 0
	for b := range sentence {
		if passage[b] {
			n++
		}
	}
	return float64(n) / float64(len(sentence))
}

func supports(sentence, passage map[string]bool) bool {
	n := 0
	for b := range sentence {
		if passage[b] {
			n++
		}
	}
	return n >= supportMin && share(sentence, passage) >= supportShare
}
