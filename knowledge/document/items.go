package document

import (
	"strings"
	"unicode/utf8"
)

// Item sizes in characters (runes). A chunk of a few hundred characters
// usually holds several rules ("…给予不少于1年的渐退期。对…就业产生的必要
// 成本…给予适当扣减。"); ranked as one, a chunk that mentions many topics wins
// questions about each of them. Items are ranked one by one instead: a
// sentence, or a short run of sentences that belong together.
const (
	itemMin     = 24  // a shorter sentence joins the next one
	itemMax     = 220 // a longer sentence is cut at a clause break
	contextMax  = 520 // a chunk up to this size is an item's whole context
	contextSide = 200 // else the window each side of the item
)

// Item is one rule-sized passage of a chunk: what retrieval ranks.
type Item struct {
	// Text is the item itself, verbatim from the chunk.
	Text string
	// Lead is the sentence that introduces a list the item belongs to
	// ("有下列情形之一的：") when the item does not start it; it helps the
	// embedding understand a list entry but is not part of the item.
	Lead string
	// Context is the chunk around the item, verbatim: the whole chunk when
	// it is short, else a window of sentences around the item. It is what a
	// resident is shown and what a citation quotes (small-to-big).
	Context string
}

// Items cuts a chunk into items. Every item's text and context are
// verbatim pieces of c.Text; together the items cover all of it but the
// sentences that only repeat the heading.
func Items(c Chunk) []Item {
	sents := itemSentences(c.Text)
	if len(sents) == 0 {
		return nil
	}
	// Group sentences: a short sentence joins the next, a list entry
	// (一是, (1), 1.) starts its own item, a lead-in ending in ：stays with
	// the entry after it.
	type span struct{ from, to int } // sentence indexes, to exclusive
	var spans []span
	cur := span{from: 0, to: 0}
	size := 0
	for i, s := range sents {
		t := strings.TrimSpace(s)
		n := runes(t)
		startsEntry := markerAt(t) != nil
		if cur.to > cur.from && (startsEntry && size >= itemMin || size >= itemMin && !leadIn(sents[cur.to-1])) {
			spans = append(spans, cur)
			cur, size = span{from: i, to: i}, 0
		}
		cur.to = i + 1
		size += n
	}
	if cur.to > cur.from {
		// a short tail joins the item before it
		if size < itemMin && len(spans) > 0 {
			spans[len(spans)-1].to = cur.to
		} else {
			spans = append(spans, cur)
		}
	}

	var out []Item
	lead := "" // the sentence introducing the list the next entries belong to
	for _, sp := range spans {
		text := strings.TrimSpace(strings.Join(sents[sp.from:sp.to], ""))
		entry := markerAt(text) != nil
		it := Item{Text: text, Context: window(sents, sp.from, sp.to, c.Text)}
		if entry && lead != "" && !strings.Contains(text, lead) {
			it.Lead = lead
		}
		introduces := false
		for _, st := range sents[sp.from:sp.to] {
			if leadIn(st) {
				lead, introduces = strings.TrimSpace(st), true
			}
		}
		if !entry && !introduces {
			lead = ""
		}
		if text == "" || len(spans) > 1 && headingOnly(text, c.Heading) {
			continue
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		t := strings.TrimSpace(c.Text)
		out = append(out, Item{Text: t, Context: t})
	}
	return out
}

// itemSentences splits text into sentences, cutting a sentence longer than
// itemMax at clause breaks; joined back they give the text.
func itemSentences(text string) []string {
	var out []string
	for _, s := range splitLeads(sentences(text)) {
		if runes(s) <= itemMax {
			out = append(out, s)
			continue
		}
		out = append(out, cutClauses(s)...)
	}
	return out
}

// cutClauses cuts a long sentence at the last clause break (，、：) before
// itemMax, repeatedly; the pieces joined give the sentence.
func cutClauses(s string) []string {
	var out []string
	rs := []rune(s)
	for len(rs) > itemMax {
		cut := itemMax
		for k := itemMax; k > itemMax/2; k-- {
			if strings.ContainsRune("，,：:", rs[k-1]) {
				cut = k
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	return append(out, string(rs))
}

// leadIn: a sentence that introduces what follows ("…下列情形之一的：").
func leadIn(s string) bool {
	s = strings.TrimSpace(s)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '：' || r == ':'
}

// headingOnly: the text says nothing the heading does not ("一、持续巩固
// 兜底脱贫成果,以…助力乡村振兴。" under that heading).
func headingOnly(text, heading string) bool {
	if heading == "" {
		return false
	}
	t := strings.TrimRight(text, "。；;：:!！?？ \n")
	if m := markerAt(t); m != nil {
		t = strings.TrimSpace(t[m.end:])
	}
	if t == "" {
		return true
	}
	last := heading
	if i := strings.LastIndex(heading, " > "); i >= 0 {
		last = heading[i+len(" > "):]
	}
	return strings.Contains(last, t) || strings.Contains(t, last) && runes(t)-runes(last) < 6
}

// window is the context of sentences [from, to): the whole text when it is
// short, else the item with up to contextSide characters of whole
// sentences each side.
func window(sents []string, from, to int, whole string) string {
	if runes(whole) <= contextMax {
		return strings.TrimSpace(whole)
	}
	lo, hi := from, to
	for left := contextSide; lo > 0 && runes(sents[lo-1]) <= left; lo-- {
		left -= runes(sents[lo-1])
	}
	for right := contextSide; hi < len(sents) && runes(sents[hi]) <= right; hi++ {
		right -= runes(sents[hi])
	}
	return strings.TrimSpace(strings.Join(sents[lo:hi], ""))
}

// splitLeads cuts a sentence after a colon that a list entry follows
// ("…认定为特困人员：（1）无劳动能力；"), so that the lead-in stands alone.
func splitLeads(sents []string) []string {
	var out []string
	for _, s := range sents {
		for {
			cut := -1
			for i, r := range s {
				if r != '：' && r != ':' {
					continue
				}
				j := i + utf8.RuneLen(r)
				if j < len(s) && markerAt(strings.TrimSpace(s[j:])) != nil {
					cut = j
					break
				}
			}
			if cut < 0 {
				break
			}
			out = append(out, s[:cut])
			s = s[cut:]
		}
		out = append(out, s)
	}
	return out
}
