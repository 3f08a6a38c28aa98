package knowledge

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

// glossaryText maps everyday words to the policy terms the documents use:
// residents ask "打零工的车费能扣吗", documents say "就业产生的必要成本".
//
//go:embed data/glossary.txt
var glossaryText string

type glossaryEntry struct {
	phrase  string   // an everyday word or phrase
	terms   []string // the policy terms it stands for
	context bool     // names who or when: widens search, proves no coverage
}

var (
	glossaryOnce    sync.Once
	glossaryEntries []glossaryEntry
)

func glossary() []glossaryEntry {
	glossaryOnce.Do(func() {
		for _, line := range strings.Split(glossaryText, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			context := strings.HasPrefix(line, "~")
			line = strings.TrimPrefix(line, "~")
			left, right, ok := strings.Cut(line, "=>")
			if !ok {
				continue
			}
			var terms []string
			for _, t := range strings.Split(right, ",") {
				if t = strings.TrimSpace(t); t != "" {
					terms = append(terms, t)
				}
			}
			for _, p := range strings.Split(left, "/") {
				if p = strings.TrimSpace(p); p != "" {
					glossaryEntries = append(glossaryEntries, glossaryEntry{phrase: p, terms: terms, context: context})
				}
			}
		}
		// Longest phrases first, so "来回车费" is seen before "车费".
		sort.SliceStable(glossaryEntries, func(i, j int) bool {
			return len(glossaryEntries[i].phrase) > len(glossaryEntries[j].phrase)
		})
	})
	return glossaryEntries
}

// Expansion is what the glossary adds to a question: policy terms, each
// with the everyday phrase that called it up.
type Expansion struct {
	Phrase  string
	Terms   []string
	Context bool // who or when, not what the question is about
}

// Expand returns the glossary entries whose everyday phrase occurs in the
// question. Substring matching, not word matching: residents run words
// together ("来回车费") and gse may cut them differently than the glossary.
func Expand(question string) []Expansion {
	var out []Expansion
	for _, e := range glossary() {
		if strings.Contains(question, e.phrase) {
			out = append(out, Expansion{Phrase: e.phrase, Terms: e.terms, Context: e.context})
		}
	}
	return out
}

// expandedTerms lists the distinct policy terms of Expand(question).
func expandedTerms(question string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range Expand(question) {
		for _, t := range e.Terms {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}
