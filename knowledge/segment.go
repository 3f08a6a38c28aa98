package knowledge

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/go-ego/gse"

	"github.com/safetynet/safetynet/knowledge/place"
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
	domainSet map[string]bool
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
		domainSet = map[string]bool{}
		for _, line := range strings.Split(domainWords, "\n") {
			w := strings.TrimSpace(line)
			if w == "" || strings.HasPrefix(w, "#") {
				continue
			}
			domainSet[w] = true
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

// Warm loads the segmenter and the gazetteer ahead of the first request,
// so that the first resident does not wait for them.
func Warm() error {
	_, err := segmenter()
	place.Lookup("")
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

// qword is a content word of a question with its part of speech.
type qword struct {
	text string
	pos  string // gse's tag: n, v, d, m …
}

// queryWords segments a question into its content words, whole words only
// (search mode would count a word and its parts twice), with their part of
// speech, which weighs how much a word says about the topic.
func queryWords(text string) []qword {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	var out []qword
	seen := map[string]bool{}
	for _, sp := range s.Pos(text, false) {
		w := strings.ToLower(strings.TrimSpace(sp.Text))
		if w == "" || !isWordy(w) || isStop(w) || seen[w] {
			continue
		}
		seen[w] = true
		pos := sp.Pos
		if domainSet[w] {
			pos = "n" // policy terms are what a question is about
		}
		out = append(out, qword{text: w, pos: pos})
	}
	return out
}

// topicWeight is how much a word of a question says about its topic:
// nouns most, verbs less, adverbs, numerals and the like little.
func topicWeight(pos string) float64 {
	switch {
	case pos == "":
		return 0.5
	case pos == "nr":
		return 0.2 // a person's name says nothing about the topic
	case strings.HasPrefix(pos, "n"), pos == "vn", pos == "an", pos == "j", pos == "l", pos == "i", pos == "eng":
		return 1
	case strings.HasPrefix(pos, "v"), strings.HasPrefix(pos, "a"):
		return 0.5
	default:
		return 0.2
	}
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
