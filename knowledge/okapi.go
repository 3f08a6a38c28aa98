package knowledge

import (
	"math"
	"sort"
	"unicode"
)

// Okapi BM25's usual constants: k1 saturates a term repeated in one item,
// b scales how much a long item is weighed down.
const (
	okapiK1 = 1.2
	okapiB  = 0.75
)

// okapiIDF is BM25's inverse document frequency of a term in df of n items.
func okapiIDF(n float64, df int64) float64 {
	d := float64(df)
	return math.Log(1 + (n-d+0.5)/(d+0.5))
}

// okapi adds weight × (BM25 / best BM25) to each hit's score and sorts the
// hits again. The items scored are the ones the fusion already brought, so
// the average length is theirs: a few dozen items a question, no index.
//
// Why it is here: the full-text overlap of the fusion adds up every term an
// item holds, so a long item that mentions many things beats the short rule
// that answers. Chosen on 310 resident questions of ours, it measured on a
// hold-out written later, by someone who saw only the corpus: hit@1 0.640 →
// 0.690, hit@5 0.900 → 0.910 (knowledge/testdata/README.md).
func okapi(hits []hit, grams []queryTerm, weight float64) {
	if weight <= 0 || len(grams) == 0 || len(hits) == 0 {
		return
	}
	counts := make([]map[string]int, len(hits))
	lengths := make([]float64, len(hits))
	var total float64
	for i, h := range hits {
		c, n := gramCounts(h.item)
		counts[i] = c
		lengths[i] = n + 1 // an item of one character has no bigram
		total += lengths[i]
	}
	avg := total / float64(len(hits))
	scores := make([]float64, len(hits))
	best := 0.0
	for i := range hits {
		norm := okapiK1 * (1 - okapiB + okapiB*lengths[i]/avg)
		for _, g := range grams {
			if tf := float64(counts[i][g.term]); tf > 0 {
				scores[i] += g.idf * tf * (okapiK1 + 1) / (tf + norm)
			}
		}
		best = max(best, scores[i])
	}
	if best == 0 {
		return
	}
	for i := range hits {
		hits[i].Score += weight * scores[i] / best
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
}

// gramCounts counts the Han characters and character bigrams of text.
// The item's length is its number of bigrams.
func gramCounts(text string) (counts map[string]int, length float64) {
	counts = map[string]int{}
	var prev rune
	for _, r := range text {
		if !unicode.Is(unicode.Han, r) {
			prev = 0
			continue
		}
		counts[string(r)]++
		if prev != 0 {
			counts[string([]rune{prev, r})]++
			length++
		}
		prev = r
	}
	return counts, length
}

// hanChars are the distinct Han characters of text.
func hanChars(text string) []string {
	var out []string
	seen := map[rune]bool{}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) && !seen[r] {
			seen[r] = true
			out = append(out, string(r))
		}
	}
	return out
}
