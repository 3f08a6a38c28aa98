package knowledge

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Extractive answers quote the best sentences of the best passages, each
// followed by the number of the citation it comes from, so that every
// sentence can be checked against its source.
const (
	extractPassages   = 3   // passages sentences are drawn from
	extractSentences  = 3   // sentences in an answer
	extractMaxRunes   = 150 // a longer sentence is cut at a clause
	extractMinRunes   = 8   // shorter fragments say too little alone
	extractFirstBonus = 1.3 // the best passage's sentences weigh more
)

// sentence is a span of one citation's text.
type sentence struct {
	text  string
	cite  int // index into the citations
	pos   int // order within the citation
	score float64
}

// splitSentences cuts text after 。！？；and line breaks.
func splitSentences(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	for _, r := range text {
		if r == '\n' {
			flush()
			continue
		}
		b.WriteRune(r)
		switch r {
		case '。', '！', '？', '；', '!', '?', ';':
			flush()
		}
	}
	flush()
	return out
}

// clip shortens a long sentence at the last clause break (，、：) before
// the limit, so that what is quoted stays a verbatim piece of the source.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= extractMaxRunes {
		return s
	}
	rs := []rune(s)[:extractMaxRunes]
	for i := len(rs) - 1; i > extractMaxRunes/2; i-- {
		if rs[i] == '，' || rs[i] == '、' || rs[i] == '：' || rs[i] == ',' {
			return string(rs[:i])
		}
	}
	return string(rs)
}

func (s *Service) extractive(q query, cites []Citation) string {
	var cands []sentence
	for ci, c := range cites {
		if ci == extractPassages {
			break
		}
		for pi, t := range splitSentences(c.Text) {
			if utf8.RuneCountInString(t) < extractMinRunes {
				continue
			}
			t = clip(t)
			sc := q.sentenceScore(t)
			if ci == 0 {
				sc *= extractFirstBonus
			}
			cands = append(cands, sentence{text: t, cite: ci, pos: pi, score: sc})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var picked []sentence
	for _, c := range cands {
		if len(picked) == extractSentences || (len(picked) > 0 && c.score < picked[0].score*0.35) {
			break
		}
		picked = append(picked, c)
	}
	if len(picked) == 0 && len(cites) > 0 {
		// Nothing scored: quote the start of the best passage.
		for pi, t := range splitSentences(cites[0].Text) {
			picked = append(picked, sentence{text: clip(t), pos: pi})
			break
		}
	}
	sort.SliceStable(picked, func(i, j int) bool {
		if picked[i].cite != picked[j].cite {
			return picked[i].cite < picked[j].cite
		}
		return picked[i].pos < picked[j].pos
	})

	var b strings.Builder
	b.WriteString("政策文件里是这样说的：\n")
	for _, p := range picked {
		fmt.Fprintf(&b, "%s [%d]\n", p.text, p.cite+1)
	}
	b.WriteString("以上摘自下面列出的政策文件，您家的具体情况以当地民政部门的答复为准；有疑问可以拨打热线 " + s.opts.Hotline + "。")
	return b.String()
}

// sentenceScore sums the weights of the query terms a sentence contains,
// with a mild preference for shorter sentences.
func (q query) sentenceScore(t string) float64 {
	var sc float64
	for _, qt := range q.terms {
		if qt.df > 0 && strings.Contains(strings.ToLower(t), qt.term) {
			sc += qt.weight * qt.idf
		}
	}
	n := float64(utf8.RuneCountInString(t))
	return sc / (1 + n/200)
}
