package document

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Chunk sizes in characters (runes). A chunk aims at targetMin–targetMax;
// only a section that cannot be cut at a sentence grows up to hardMax.
const (
	targetMin = 200
	targetMax = 500
	hardMax   = 800
	tinyMax   = 60  // below this a piece is merged into a neighbour
	overlap   = 150 // the longest sentence repeated at the start of the next piece
)

// kinds of section markers, in order of rank (outermost first).
const (
	kPart     = "part"      // 发言二: parts of a compilation
	kChapter  = "chapter"   // 第一章, 第一部分
	kSection  = "section"   // 第一节
	kArticle  = "article"   // 第一条
	kCN       = "cn"        // 一、
	kParen    = "paren"     // (一) （一）
	kNum      = "num"       // 1. 1、
	kNumParen = "num-paren" // (1)
	kShi      = "shi"       // 一是 二是
	kQA       = "qa"        // 问：… 答：… (policy Q&A)
	kMD       = "md"        // a markdown heading without numbering
)

var rank = map[string]int{kPart: 0, kChapter: 1, kSection: 2, kArticle: 3, kCN: 4, kParen: 5, kNum: 6, kNumParen: 7, kShi: 8, kQA: 9}

type mark struct {
	kind  string
	rank  int
	ord   int
	label string // normalized: "一、", "(一)", "1.", "(1)", "一是"
	end   int    // bytes of the line the marker takes
	md    bool   // authored (markdown heading, Q&A): always accepted, never packed
	text  string // heading text when it is known (markdown)
}

var (
	// 第一章 总则 / 第二节 / 第十二条 / 第三部分: regulations and long plans
	ordinalMark  = regexp.MustCompile(`^第([一二三四五六七八九十百零〇两]{1,6})(章|节|条|部分|编)[ \t]*`)
	cnMark       = regexp.MustCompile(`^([一二三四五六七八九十]{1,3})、`)
	parenMark    = regexp.MustCompile(`^[(（]([一二三四五六七八九十]{1,3})[)）]`)
	numMark      = regexp.MustCompile(`^(\d{1,2})[.．、]`)
	numParenMark = regexp.MustCompile(`^[(（](\d{1,2})[)）]`)
	shiMark      = regexp.MustCompile(`^([一二三四五六七八九十]{1,2})是`)
	qaMark       = regexp.MustCompile(`^(?:问|提问|Q)\s*\d{0,3}\s*[:：]\s*`)
	mdHeading    = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	// words that end a short heading glued to its text ("总体目标民政兜底…").
	gluedHeading = regexp.MustCompile(`^\p{Han}{0,3}?(?:目标|要求|任务|原则|思想|措施|步骤|意义|范围|对象|标准|程序|职责|依据|附则|总则)`)
)

// markerAt returns the section marker at the start of s, or nil.
func markerAt(s string) *mark {
	if g := mdHeading.FindStringSubmatch(s); g != nil {
		text := strings.TrimSpace(g[2])
		if m := markerAt(text); m != nil && m.kind != kShi {
			m.md, m.end = true, len(s)-len(text)+m.end
			m.text = strings.TrimSpace(text[m.end-(len(s)-len(text)):])
			return m
		}
		// ## sits where 一、 would, ### where (一) would
		depth := len(g[1])
		return &mark{kind: kMD + g[1], rank: rank[kCN] + max(depth-2, 0), label: clip(text, 20), end: len(s), md: true, text: text}
	}
	if loc := qaMark.FindStringIndex(s); loc != nil && loc[1] < len(s) {
		q := strings.TrimSpace(s[loc[1]:])
		if i := strings.IndexAny(q, "？?"); i >= 0 {
			_, size := utf8.DecodeRuneInString(q[i:])
			q = q[:i+size] // the question is its heading
		}
		return &mark{kind: kQA, rank: rank[kQA], label: "问", end: loc[1], md: true, text: clip(q, 40)}
	}
	if g := ordinalMark.FindStringSubmatchIndex(s); g != nil {
		n := cnNumber(s[g[2]:g[3]])
		kind := map[string]string{"章": kChapter, "编": kChapter, "部分": kChapter, "节": kSection, "条": kArticle}[s[g[4]:g[5]]]
		return &mark{kind: kind, rank: rank[kind], ord: n, label: s[g[0]:g[5]], end: g[1]}
	}
	if g := cnMark.FindStringSubmatchIndex(s); g != nil {
		n := cnNumber(s[g[2]:g[3]])
		return &mark{kind: kCN, rank: rank[kCN], ord: n, label: s[g[2]:g[3]] + "、", end: g[1]}
	}
	if g := parenMark.FindStringSubmatchIndex(s); g != nil {
		n := cnNumber(s[g[2]:g[3]])
		return &mark{kind: kParen, rank: rank[kParen], ord: n, label: "(" + s[g[2]:g[3]] + ")", end: g[1]}
	}
	if g := numParenMark.FindStringSubmatchIndex(s); g != nil {
		n := atoi(s[g[2]:g[3]])
		return &mark{kind: kNumParen, rank: rank[kNumParen], ord: n, label: "(" + s[g[2]:g[3]] + ")", end: g[1]}
	}
	if g := numMark.FindStringSubmatchIndex(s); g != nil {
		// "1.8万" is a number, not a heading
		if r, _ := utf8.DecodeRuneInString(s[g[1]:]); r >= '0' && r <= '9' || r == utf8.RuneError {
			return nil
		}
		n := atoi(s[g[2]:g[3]])
		return &mark{kind: kNum, rank: rank[kNum], ord: n, label: s[g[2]:g[3]] + ".", end: g[1]}
	}
	if g := shiMark.FindStringSubmatchIndex(s); g != nil {
		n := cnNumber(s[g[2]:g[3]])
		return &mark{kind: kShi, rank: rank[kShi], ord: n, label: s[g[2]:g[3]] + "是", end: g[1]}
	}
	return nil
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// cnNumber reads Chinese numerals up to 九百九十九 (一, 十二, 二十, 一百零五);
// 0 if s is not one.
func cnNumber(s string) int {
	digit := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	total, cur := 0, -1 // cur: a digit waiting for its unit
	for _, r := range s {
		switch r {
		case '百', '十':
			unit := 100
			if r == '十' {
				unit = 10
			}
			if cur < 0 {
				if unit == 100 {
					return 0
				}
				cur = 1 // 十二 = 12
			}
			total += cur * unit
			cur = -1
		default:
			d, ok := digit[r]
			if !ok || cur >= 0 && cur != 0 {
				return 0
			}
			cur = d
		}
	}
	if cur > 0 {
		total += cur
	}
	return total
}

// level is one step of a section path.
type level struct {
	kind, label, heading string
	rank, ord            int
	md                   bool // an authored markdown heading
}

// block is the text of one section up to its first subsection.
type block struct {
	path  []level
	paras []string
}

func (b *block) text() string { return strings.Join(b.paras, "\n") }

// inlineBreak are the characters after which a marker may start inside a line.
const inlineBreak = "。；;！？!?：:"

type splitter struct {
	partRe *regexp.Regexp // stem + ordinal of a compilation's parts, or nil
	partLb string         // the stem's last word, for labels ("发言")
}

// split cuts cleaned text into chunks along its structure.
func split(cleaned, title string) []Chunk {
	sp := splitter{}
	if stem, ok := compilationStem(title); ok {
		sp.partRe = regexp.MustCompile(regexp.QuoteMeta(stem) + `([一二三四五六七八九十]{1,2})`)
		rs := []rune(stem)
		sp.partLb = string(rs[max(len(rs)-2, 0):])
	}
	return chunkBlocks(sp.blocks(cleaned, title))
}

// compilationStem: "…推进会发言合集" is a compilation whose parts are
// headed "…推进会发言二", "…推进会发言三".
func compilationStem(title string) (string, bool) {
	for _, suf := range []string{"合集", "汇编", "选编", "汇总", "摘编"} {
		if stem, ok := strings.CutSuffix(title, suf); ok && utf8.RuneCountInString(stem) >= 6 {
			return stem, true
		}
	}
	return "", false
}

// segment is a piece of a line that may start with a marker; inline pieces
// rejoin the previous paragraph when their marker is not accepted.
type segment struct {
	text   string
	inline bool
	part   *mark // a compilation part heading
}

func (sp splitter) segments(cleaned, title string) []segment {
	var segs []segment
	partsSeen := map[int]bool{}
	titleSeen := false
	for _, line := range strings.Split(cleaned, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		pieces := []segment{{text: line}}
		if !titleSeen && runes(title) >= 8 && len(line) > len(title) && strings.HasPrefix(line, title) {
			// the title glued to the first sentence of the text it heads
			titleSeen = true
			segs = append(segs, segment{text: title})
			line = strings.TrimSpace(line[len(title):])
			pieces[0].text = line
		}
		if sp.partRe != nil {
			pieces = pieces[:0]
			rest, first := line, true
			for {
				loc := sp.partRe.FindStringSubmatchIndex(rest)
				if loc == nil {
					break
				}
				if before := strings.TrimSpace(rest[:loc[0]]); before != "" {
					pieces = append(pieces, segment{text: before, inline: !first})
				}
				n := cnNumber(rest[loc[2]:loc[3]])
				partsSeen[n] = true
				lb := sp.partLb + rest[loc[2]:loc[3]]
				pieces = append(pieces, segment{text: rest[loc[0]:loc[1]], part: &mark{kind: kPart, rank: 0, ord: n, label: lb, md: true, text: lb, end: loc[1] - loc[0]}})
				// the part's text starts a new paragraph under its heading
				rest, first = rest[loc[1]:], true
			}
			if rest = strings.TrimSpace(rest); rest != "" {
				pieces = append(pieces, segment{text: rest, inline: !first})
			}
		}
		for _, p := range pieces {
			if p.part != nil {
				segs = append(segs, p)
				continue
			}
			for i, s := range inlineSegments(p.text) {
				segs = append(segs, segment{text: s, inline: p.inline || i > 0})
			}
		}
	}
	// Parts numbered from 二: the text after the title is part 一.
	if sp.partRe != nil && len(partsSeen) > 0 && !partsSeen[1] {
		for i, s := range segs {
			if s.part != nil {
				break
			}
			if s.text != title && !s.inline {
				lb := sp.partLb + "一"
				part := segment{part: &mark{kind: kPart, ord: 1, label: lb, md: true, text: lb}}
				segs = append(segs[:i], append([]segment{part}, segs[i:]...)...)
				break
			}
		}
	}
	return segs
}

// inlineSegments cuts a line before markers that follow a sentence end
// ("…。二是…") or a short heading ("三、重点任务(一)社会救助…").
func inlineSegments(line string) []string {
	var out []string
	start := 0
	headStart := markerAt(line) != nil
	prev := rune(0)
	for i, r := range line {
		if i > start {
			cut := false
			if strings.ContainsRune(inlineBreak, prev) {
				cut = markerAt(line[i:]) != nil && !strings.HasPrefix(line[i:], "#")
			} else if headStart && (r == '(' || r == '（' || (r >= '1' && r <= '9')) {
				// a short heading with no punctuation yet, glued to a subsection
				seg := line[start:i]
				if m := markerAt(line[i:]); m != nil && m.kind != kShi && utf8.RuneCountInString(seg) <= 24 && !strings.ContainsAny(seg, "。，,；;：:") {
					if mm := markerAt(seg); mm != nil && mm.rank < m.rank {
						cut = true
					}
				}
			}
			if cut {
				out = append(out, line[start:i])
				start = i
				headStart = true
			}
		}
		prev = r
	}
	return append(out, line[start:])
}

// blocks walks the segments, accepting markers that continue a numbering
// sequence, and returns the sections in order.
func (sp splitter) blocks(cleaned, title string) []block {
	var (
		out   []block
		stack []level
		last  = map[string]int{}
		cur   = block{}
		qa    int // questions so far, to label them 问1, 问2…
	)
	flush := func() {
		if len(cur.paras) > 0 || len(cur.path) > 0 {
			out = append(out, cur)
		}
	}
	for _, s := range sp.segments(cleaned, title) {
		m := s.part
		if m == nil {
			m = markerAt(s.text)
		}
		if m != nil && (m.md || m.ord == 1 || m.ord == last[m.kind]+1) && (m.md || m.ord > 0) {
			last[m.kind] = m.ord
			for len(stack) > 0 && stack[len(stack)-1].rank >= m.rank {
				stack = stack[:len(stack)-1]
			}
			heading := m.text
			if heading == "" {
				heading = headingOf(s.text[m.end:])
			}
			label := m.label
			if m.kind == kQA {
				qa++
				label = fmt.Sprintf("问%d", qa)
			}
			stack = append(stack, level{kind: m.kind, label: label, heading: heading, rank: m.rank, ord: m.ord, md: m.md})
			var lead string
			if m.kind == kShi && m.ord == 1 && s.inline && len(cur.paras) > 0 {
				// "…。提升救助水平,强化…支撑。一是…": the short sentence before a
				// new 一是 run heads that run, not the previous item.
				lead, cur.paras[len(cur.paras)-1] = trailingHead(cur.paras[len(cur.paras)-1])
			}
			flush()
			cur = block{path: append([]level(nil), stack...)}
			if lead != "" {
				cur.paras = append(cur.paras, lead)
			}
			if h, ok := glued(s.text[m.end:]); ok && m.text == "" {
				// "一、总体目标民政兜底脱贫…": the heading on a line of its own
				cut := m.end + len(h)
				cur.paras = append(cur.paras, s.text[:cut], strings.TrimSpace(s.text[cut:]))
			} else if s.text != "" && !strings.HasPrefix(s.text, "#") {
				cur.paras = append(cur.paras, s.text)
			} else if s.text != "" {
				cur.paras = append(cur.paras, strings.TrimSpace(strings.TrimLeft(s.text, "#")))
			}
			continue
		}
		if s.inline && len(cur.paras) > 0 {
			cur.paras[len(cur.paras)-1] += s.text
		} else if s.text != "" {
			cur.paras = append(cur.paras, s.text)
		}
	}
	flush()
	return out
}

// headingOf takes the heading words from the text after a marker.
func headingOf(rest string) string {
	rest = strings.TrimSpace(rest)
	if h, ok := glued(rest); ok {
		return h
	}
	first := rest
	if i := strings.IndexAny(first, "。；;！？!?:："); i >= 0 {
		first = first[:i]
	}
	if utf8.RuneCountInString(first) <= 30 {
		return strings.TrimSpace(first)
	}
	if i := strings.IndexAny(first, "，,"); i >= 0 && utf8.RuneCountInString(first[:i]) <= 30 {
		return first[:i]
	}
	return clip(first, 24) + "…"
}

// glued finds a short heading run into its text without punctuation
// ("总体目标民政兜底脱贫…"); rest must start right after the marker.
func glued(rest string) (string, bool) {
	if loc := gluedHeading.FindStringIndex(rest); loc != nil && loc[1] < len(rest) {
		if r, _ := utf8.DecodeRuneInString(rest[loc[1]:]); !strings.ContainsRune(inlineBreak+"，,、)）", r) {
			return rest[:loc[1]], true
		}
	}
	return "", false
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n])
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// unit is a run of text with one section path, before size limits.
type unit struct {
	parent []level // the path above the leaves
	leaves []level // one leaf, or consecutive siblings packed together
	text   string
}

func (u unit) top() string {
	switch {
	case len(u.parent) > 0:
		return u.parent[0].label
	case len(u.leaves) > 0:
		return u.leaves[0].label
	}
	return ""
}

// absorb adds the leaves of v, the text merged after u's, to u's label when
// they continue u's numbering under the same parent ("1.—2."), and reports
// whether it did; otherwise u's label stands for both.
func (u *unit) absorb(v unit) bool {
	if len(u.leaves) == 0 || len(v.leaves) == 0 || !sameLabels(u.parent, v.parent) {
		return false
	}
	a, b := u.leaves[len(u.leaves)-1], v.leaves[0]
	if a.kind != b.kind || b.ord != a.ord+1 || b.ord == 1 {
		return false
	}
	// copy: pieces cut from one unit share its slice
	u.leaves = append(append([]level(nil), u.leaves...), v.leaves...)
	return true
}

func sameLabels(a, b []level) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].label != b[i].label {
			return false
		}
	}
	return true
}

// section and heading write the unit's path: "二、(一) 1.—2." and
// "重点任务 > 完善兜底保障配套政策 > 全面落实…；完善…".
func (u unit) section() string {
	var labels []string
	for _, l := range u.parent {
		labels = append(labels, l.label)
	}
	if n := len(u.leaves); n > 0 {
		lb := u.leaves[0].label
		if n > 1 && u.leaves[n-1].label != lb {
			lb += "—" + u.leaves[n-1].label
		}
		labels = append(labels, lb)
	}
	return joinLabels(labels)
}

func (u unit) heading() string {
	var heads []string
	for _, l := range u.parent {
		if l.heading != "" {
			heads = append(heads, l.heading)
		}
	}
	var hs []string
	for _, l := range u.leaves {
		if l.heading != "" && (len(hs) == 0 || hs[len(hs)-1] != l.heading) {
			hs = append(hs, l.heading)
		}
	}
	if len(hs) > 0 {
		heads = append(heads, strings.Join(hs, "；"))
	}
	return strings.Join(heads, " > ")
}

// chunkBlocks turns sections into chunks: a section that is only a heading
// is carried into its first subsection, small sibling sections are packed
// together, long ones cut at sentence ends, tiny leftovers merged.
func chunkBlocks(blocks []block) []Chunk {
	// carry heading-only sections into their first subsection
	var carry []string
	var kept []block
	for i, b := range blocks {
		t := b.text()
		if i+1 < len(blocks) && runes(t) < tinyMax && isDescendant(blocks[i+1].path, b.path) {
			if t != "" {
				carry = append(carry, t)
			}
			continue
		}
		if len(carry) > 0 {
			b.paras = append(append([]string(nil), carry...), b.paras...)
			carry = nil
		}
		kept = append(kept, b)
	}

	// pack small siblings
	var units []unit
	for i := 0; i < len(kept); {
		j := i + 1
		size := runes(kept[i].text())
		for size < targetMin && j < len(kept) && siblings(kept[j-1].path, kept[j].path) && size+1+runes(kept[j].text()) <= targetMax {
			size += 1 + runes(kept[j].text())
			j++
		}
		units = append(units, packUnit(kept[i:j]))
		i = j
	}

	// cut long units, merge tiny ones
	var pieces []unit
	for _, u := range units {
		for _, t := range cutText(u.text) {
			p := u
			p.text = t
			pieces = append(pieces, p)
		}
	}
	var merged []unit
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		if runes(p.text) < tinyMax {
			n := len(merged)
			fitsPrev := n > 0 && runes(merged[n-1].text)+runes(p.text) < hardMax
			fitsNext := i+1 < len(pieces) && runes(pieces[i+1].text)+runes(p.text) < hardMax
			switch {
			case fitsPrev && merged[n-1].top() == p.top():
				merged[n-1].text += "\n" + p.text
				merged[n-1].absorb(p)
				continue
			case fitsNext && pieces[i+1].top() == p.top():
				next, both := pieces[i+1], p
				both.text = p.text + "\n" + next.text
				if !both.absorb(next) {
					// the passage it joins names the chunk
					both.parent, both.leaves = next.parent, next.leaves
				}
				pieces[i+1] = both
				continue
			case fitsPrev && len(p.leaves) == 0:
				// untitled text between sections belongs to what precedes it;
				// a short titled section stays whole, to be cited as itself
				merged[n-1].text += "\n" + p.text
				continue
			}
		}
		merged = append(merged, p)
	}
	chunks := make([]Chunk, 0, len(merged))
	for _, p := range merged {
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		chunks = append(chunks, Chunk{Ord: len(chunks), Section: p.section(), Heading: p.heading(), Text: p.text})
	}
	return chunks
}

func isDescendant(child, parent []level) bool {
	if len(child) <= len(parent) {
		return false
	}
	for i := range parent {
		if child[i].label != parent[i].label {
			return false
		}
	}
	return true
}

// siblings: b is the next section after a under the same parent.
func siblings(a, b []level) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := 0; i < len(a)-1; i++ {
		if a[i].label != b[i].label {
			return false
		}
	}
	la, lb := a[len(a)-1], b[len(b)-1]
	// authored (markdown) sections are small on purpose and cited singly
	return la.kind == lb.kind && lb.ord == la.ord+1 && !la.md && !lb.md
}

// trailingHead cuts a short last sentence off a paragraph, when there is
// more before it: it returns the sentence and the rest.
func trailingHead(p string) (string, string) {
	// only the tail matters: a long paragraph is not re-read at every 一是
	from := max(len(p)-400, 0)
	for from > 0 && !utf8.RuneStart(p[from]) {
		from--
	}
	sents := sentences(p[from:])
	if len(sents) < 2 {
		return "", p
	}
	last := sents[len(sents)-1]
	if n := runes(last); n > 40 || n < 4 || !endsSentence(last) {
		return "", p
	}
	return last, p[:len(p)-len(last)]
}

func packUnit(bs []block) unit {
	u := unit{}
	if p := bs[0].path; len(p) > 0 {
		u.parent = p[:len(p)-1]
		for _, b := range bs {
			u.leaves = append(u.leaves, b.path[len(b.path)-1])
		}
	}
	var texts []string
	for _, b := range bs {
		if t := b.text(); t != "" {
			texts = append(texts, t)
		}
	}
	u.text = strings.Join(texts, "\n")
	return u
}

// joinLabels writes a section path as people do: "二、(一) 1."; a label
// ending in 、 needs no space after it.
func joinLabels(labels []string) string {
	var b strings.Builder
	for i, l := range labels {
		if i > 0 && !strings.HasSuffix(labels[i-1], "、") {
			b.WriteString(" ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// sentences splits text after sentence ends (keeping closing quotes with
// their sentence) and at line ends; joined back they give the text.
func sentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\n' || strings.ContainsRune("。！？!?；;", r) {
			j := i + 1
			for j < len(rs) && strings.ContainsRune("”’」』)）\"", rs[j]) {
				j++
			}
			out = append(out, string(rs[start:j]))
			start = j
			i = j - 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	// a sentence longer than hardMax is cut at commas, then by length
	var fine []string
	for _, s := range out {
		if runes(s) <= hardMax {
			fine = append(fine, s)
			continue
		}
		fine = append(fine, cutLong(s)...)
	}
	return fine
}

func cutLong(s string) []string {
	var out []string
	rs := []rune(s)
	for len(rs) > targetMax {
		cut := targetMax
		for k := targetMax; k > targetMax/2; k-- {
			if strings.ContainsRune("，,、", rs[k-1]) {
				cut = k
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	return append(out, string(rs))
}

// cutText cuts a long text into pieces of about equal size, at most
// targetMax where sentence ends allow, the next piece repeating the previous
// piece's last sentence.
func cutText(text string) []string {
	text = strings.TrimSpace(text)
	if runes(text) <= targetMax {
		return []string{text}
	}
	sents := sentences(text)
	// pieces of about equal size: 540 characters make two of 270, not 500
	// and a stub
	total := runes(text)
	goal := total / ((total + targetMax - 1) / targetMax)
	var (
		out  []string
		cur  []string
		size int
	)
	emit := func() {
		out = append(out, strings.TrimSpace(strings.Join(cur, "")))
	}
	fresh := 0 // sentences in cur that are not overlap
	for _, s := range sents {
		n := runes(s)
		if fresh > 0 && (size+n > targetMax || size >= goal) {
			emit()
			prev := cur[len(cur)-1]
			cur, size, fresh = nil, 0, 0
			if p := strings.TrimSpace(prev); runes(p) <= overlap && size+runes(p)+n <= hardMax {
				cur, size = []string{p + sepAfter(prev)}, runes(p)
			}
		}
		cur = append(cur, s)
		size += n
		fresh++
	}
	if fresh > 0 {
		tail := strings.TrimSpace(strings.Join(cur, ""))
		// a short tail goes back into the previous piece when it fits
		if len(out) > 0 && runes(tail) < targetMin/2 {
			rest := strings.TrimSpace(strings.Join(cur[len(cur)-fresh:], ""))
			if runes(out[len(out)-1])+runes(rest) <= hardMax {
				out[len(out)-1] += rest
				return out
			}
		}
		out = append(out, tail)
	}
	return out
}

// sepAfter keeps a paragraph break after an overlapped sentence that had one.
func sepAfter(s string) string {
	if strings.HasSuffix(s, "\n") {
		return "\n"
	}
	return ""
}
