package knowledge

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/go-ego/gse"
)

// domainWords are policy terms added to gse's dictionary so that they
// segment whole ("事实无人抚养儿童", not 事实/无人/抚养/儿童) on both sides of the
// search: documents at ingest, questions at query time.
//
//go:embed data/domain_words.txt
var domainWords string

// stopWords are function words and question fillers that carry no topic:
// counting them as evidence would let "怎么办理…" match any procedure text.
//
//go:embed data/stop_words.txt
var stopWordsText string

var (
	segOnce sync.Once
	seg     gse.Segmenter
	segErr  error

	stopWords map[string]bool
)

// segmenter loads gse's embedded dictionary once per process: loading takes
// about two seconds, so every caller shares one read-only segmenter.
func segmenter() (*gse.Segmenter, error) {
	segOnce.Do(func() {
		seg, segErr = gse.NewEmbed("zh_s")
		if segErr != nil {
			return
		}
		var b strings.Builder
		for _, line := range strings.Split(domainWords, "\n") {
			w := strings.TrimSpace(line)
			if w == "" || strings.HasPrefix(w, "#") {
				continue
			}
			// A high frequency makes the whole term win over its parts.
			b.WriteString(w + " 50000 n\n")
		}
		segErr = seg.LoadDictStr(b.String())
		stopWords = map[string]bool{}
		for _, line := range strings.Split(stopWordsText, "\n") {
			for _, w := range strings.Fields(line) {
				if !strings.HasPrefix(w, "#") {
					stopWords[w] = true
				}
			}
		}
	})
	return &seg, segErr
}

// Warm loads the segmenter ahead of the first request, so that the first
// resident does not wait for it.
func Warm() error {
	_, err := segmenter()
	return err
}

// Words segments text into lower-cased words in search mode (whole terms
// plus their parts), dropping punctuation and spaces. The same function
// builds the stored tsvector and the query, so both sides agree.
func Words(text string) []string {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	raw := s.CutSearch(text, true)
	out := raw[:0]
	for _, w := range raw {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || !isWordy(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// isWordy reports whether w is made only of letters and digits (plus a
// decimal point inside numbers), the tokens a tsquery can hold unquoted.
func isWordy(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' {
			return false
		}
	}
	return strings.Trim(w, ".") != ""
}

// isStop reports whether w is a function word or filler.
func isStop(w string) bool {
	if _, err := segmenter(); err != nil {
		return false
	}
	if stopWords[w] {
		return true
	}
	// Single Han characters are mostly particles in questions ("的", "吗");
	// content characters reach search through bigrams in the embedding.
	rs := []rune(w)
	return len(rs) == 1 && unicode.Is(unicode.Han, rs[0])
}

// contentWords are the words of text that can be evidence of a topic.
func contentWords(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range Words(text) {
		if isStop(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// queryWords segments a question in accurate mode (whole words only), for
// weighting: search mode would count a word and its parts twice.
func queryWords(text string) []string {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range s.Cut(text, true) {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || !isWordy(w) || isStop(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// wordParts are the shorter dictionary words inside a long word, which a
// passage may use instead ("渐退期" → "渐退").
func wordParts(w string) []string {
	if len([]rune(w)) <= 2 {
		return nil
	}
	s, err := segmenter()
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range s.CutSearch(w, true) {
		p = strings.ToLower(p)
		if p != w && isWordy(p) && !isStop(p) {
			out = append(out, p)
		}
	}
	return out
}
