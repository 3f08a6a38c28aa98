package document

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Doubt is a place in a document's text that a capture has probably
// damaged. The bot quotes passages word for word, so a resident would be
// told "312个月" where the original said "3—12个月"; ingest reports these
// for the person who keeps the documents to check against the original.
// Nothing is changed: only the original can say what was meant.
type Doubt struct {
	Section string    // the chunk's section path
	Kind    DoubtKind // what looks wrong
	Words   string    // the words that look damaged ("312个月"), verbatim
	Quote   string    // the words and some around them, verbatim
	// Guess is what was probably meant, where one can be told ("3—12个月").
	Guess string
}

// DoubtKind names what looks wrong with a piece of text.
type DoubtKind string

const (
	// DoubtLostDash: a number of months or working days too large to be
	// meant, that splits into a rising range ("312个月": 3—12), as when a
	// page's dash was dropped.
	DoubtLostDash DoubtKind = "lost-dash"
	// DoubtPlaceholder: a figure or a name masked by the publisher
	// ("为xx万名", "xx市").
	DoubtPlaceholder DoubtKind = "placeholder"
	// DoubtGarbled: characters lost to a wrong encoding (U+FFFD).
	DoubtGarbled DoubtKind = "garbled"
)

var (
	// 3 or 4 digits before a unit a policy counts in months or working
	// days; a year ("2020年") or a date is not matched.
	bigSpan = regexp.MustCompile(`(^|[^0-9０-９.])([0-9]{3,4})\s*(个月|个工作日|工作日)`)
	// "xx" where a figure belongs; latin tells it from a part of a word.
	masked = regexp.MustCompile(`[xX]{2,}|×{2,}`)
)

// doubtsPerChunk caps how many doubts one chunk reports: one damaged
// figure repeated in a table should not bury the others.
const doubtsPerChunk = 3

// quoteRunes is how much text either side of a doubt is quoted.
const quoteRunes = 12

// Doubts lists the places in doc's chunks that look damaged, in order.
func Doubts(doc Document) []Doubt {
	var out []Doubt
	// Passages may share text (a long one is cut with an overlap): the same
	// words are reported once.
	seen := map[string]bool{}
	for _, c := range doc.Chunks {
		n := 0
		for _, d := range doubtsIn(c.Text) {
			key := fmt.Sprintf("%s\x00%s\x00%d", d.Kind, d.Quote, d.at)
			if n == doubtsPerChunk || seen[key] {
				continue
			}
			seen[key] = true
			d.Section = c.Section
			out = append(out, d.Doubt)
			n++
		}
	}
	return out
}

// DoubtsIn lists the places in one piece of text that look damaged, for
// an answer quoting the text to say so beside it.
func DoubtsIn(text string) []Doubt {
	var out []Doubt
	for _, d := range doubtsIn(text) {
		out = append(out, d.Doubt)
	}
	return out
}

// placed is a doubt with where its words start within its quote.
type placed struct {
	Doubt
	at int
}

func doubtsIn(text string) []placed {
	var out []placed
	add := func(d Doubt, start, end int) {
		d.Words = text[start:end]
		q, at := around(text, start, end)
		d.Quote = q
		out = append(out, placed{d, at})
	}
	for _, m := range bigSpan.FindAllStringSubmatchIndex(text, -1) {
		if guess, ok := risingRange(text[m[4]:m[5]]); ok {
			add(Doubt{Kind: DoubtLostDash, Guess: guess + text[m[6]:m[7]]}, m[4], m[7])
		}
	}
	for _, m := range masked.FindAllStringIndex(text, -1) {
		if !latin(text, m[0], m[1]) {
			add(Doubt{Kind: DoubtPlaceholder}, m[0], m[1])
		}
	}
	if i := strings.IndexRune(text, utf8.RuneError); i >= 0 {
		add(Doubt{Kind: DoubtGarbled}, i, i+len(string(utf8.RuneError)))
	}
	return out
}

// risingRange splits digits into two numbers a < b, both without a
// leading zero, the second no more than five years' worth (60): "312" is
// 3—12, "1224" is 12—24. "100" or "365" split into no such range.
func risingRange(digits string) (string, bool) {
	for i := 1; i < len(digits); i++ {
		a, b := digits[:i], digits[i:]
		if a[0] == '0' || b[0] == '0' {
			continue
		}
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		if x < y && y <= 60 {
			return a + "—" + b, true
		}
	}
	return "", false
}

// latin: text[start:end] is part of a Latin word ("Xbox", "www").
func latin(text string, start, end int) bool {
	letter := func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return letter(before) || letter(after)
}

// around quotes text[start:end] with up to quoteRunes runes either side,
// within the same line, and says where in the quote it starts (in bytes).
func around(text string, start, end int) (string, int) {
	from := start
	for n := 0; n < quoteRunes && from > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		if text[from-size] == '\n' {
			break
		}
		from -= size
	}
	to := end
	for n := 0; n < quoteRunes && to < len(text); n++ {
		r, size := utf8.DecodeRuneInString(text[to:])
		if r == '\n' {
			break
		}
		to += size
	}
	return text[from:to], start - from
}
