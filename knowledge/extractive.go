package knowledge

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pgvector/pgvector-go"

	"github.com/safetynet/safetynet/knowledge/document"
	"github.com/safetynet/safetynet/knowledge/place"
)

// Extractive answers quote the sentences of the best passages that answer
// the question best, each followed by the number of the citation it comes
// from, so that every sentence can be checked against its source.
const (
	extractPassages  = 3   // passages sentences are drawn from
	extractSentences = 3   // sentences in an answer
	extractMaxRunes  = 220 // a longer sentence is cut at a clause (as items are)
	extractMinRunes  = 8   // shorter fragments say too little alone
	// extractLexical weighs the share of the question's terms a sentence
	// holds against its closeness in meaning to the question.
	extractLexical = 0.35
	// extractKeep drops sentences scoring under this share of the best one.
	extractKeep = 0.6
	// extractFigure is added to a sentence that states the kind of fact
	// the question asks for (an amount, a date, a span, the papers) about
	// what it asks: "珙县低保渐退期多长时间" is answered by the sentence
	// with "3—12个月", not by the ones that only name the 渐退期.
	extractFigure = 0.15
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

func (s *Service) extractive(ctx context.Context, q query, hits []hit, qvec []float32) string {
	closeness := s.itemCloseness(ctx, hits, qvec)
	var cands []sentence
	maxLex := 0.0
	// A question that names a place is answered from the passages that
	// apply there, when there are any: 珙县's rule is no answer in 刚察县.
	skip := make([]bool, len(hits))
	if len(q.asked) > 0 {
		applying := 0
		for ci := range min(len(hits), extractPassages) {
			if placeRelation(hits[ci], q) == place.Elsewhere {
				skip[ci] = true
			} else {
				applying++
			}
		}
		if applying == 0 {
			clear(skip)
		}
	}
	for ci, h := range hits {
		if ci == extractPassages {
			break
		}
		if skip[ci] {
			continue
		}
		for pi, t := range splitSentences(h.Text) {
			if utf8.RuneCountInString(t) < extractMinRunes {
				continue
			}
			cands = append(cands, sentence{text: t, cite: ci, pos: pi, score: q.sentenceScore(t)})
			maxLex = max(maxLex, cands[len(cands)-1].score)
		}
	}
	for i := range cands {
		lex := 0.0
		if maxLex > 0 {
			lex = cands[i].score / maxLex
		}
		// A sentence is as close to the question as the item holding it;
		// the best passage's items come first among equals.
		sim := 0.0
		for item, v := range closeness[cands[i].cite] {
			if strings.Contains(item, cands[i].text) || strings.Contains(cands[i].text, item) {
				sim = max(sim, v)
			}
		}
		cands[i].score = sim + extractLexical*lex
		if q.ask.answers(cands[i].text) {
			cands[i].score += extractFigure
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var picked []sentence
	for _, c := range cands {
		if len(picked) == extractSentences || (len(picked) > 0 && c.score < picked[0].score*extractKeep) {
			break
		}
		if duplicate(c.text, picked) {
			continue
		}
		picked = append(picked, c)
	}
	if len(picked) == 0 && len(hits) > 0 {
		// Nothing scored: quote the start of the best passage.
		for pi, t := range splitSentences(hits[0].Text) {
			picked = append(picked, sentence{text: t, pos: pi})
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
	masked := false
	for _, p := range picked {
		text := clip(p.text)
		fmt.Fprintf(&b, "%s [%d]\n", text, p.cite+1)
		// The quote stays verbatim; a figure the capture probably damaged
		// is pointed out beside it rather than repaired by guess.
		for _, d := range document.DoubtsIn(text) {
			switch d.Kind {
			case document.DoubtLostDash:
				b.WriteString(lostDashNote(d) + "\n")
			case document.DoubtPlaceholder:
				masked = true
			}
		}
	}
	if masked {
		// An elderly reader takes "xx万名" for a misprint of ours.
		b.WriteString(maskedNote + "\n")
	}
	if note := whoseNote(picked, hits, q); note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString("以上摘自下面列出的政策文件，您家的具体情况以当地民政部门的答复为准；有疑问可以拨打热线 " + s.opts.Hotline + "。")
	return b.String()
}

// whoseNote says whose rules the quotes are when a resident could take
// them for their own place's by mistake: quotes of several places
// (placesNote), or only of a place inside the one asked ("宜宾…" answered
// from 珙县's documents, which do not hold in the rest of 宜宾).
func whoseNote(picked []sentence, hits []hit, q query) string {
	if note := placesNote(picked, hits); note != "" || len(q.askedNames) == 0 || len(picked) == 0 {
		return note
	}
	region := ""
	for _, p := range picked {
		if p.cite >= len(hits) || placeRelation(hits[p.cite], q) != place.Inside {
			return ""
		}
		region = hits[p.cite].region
	}
	return "（这几条出自" + region + "的文件，" + strings.Join(q.askedNames, "、") + "别的地方可能不一样。）"
}

// placesNote tells which place each quote's rule is of when the quotes
// come from documents of different places: "不少于1年" is 青海's and
// "3—12个月" 珙县's, and a resident reading both would not know which is
// theirs. "" when they are of one place or of none.
func placesNote(picked []sentence, hits []hit) string {
	var regions []string
	cites := map[string][]string{}
	for _, p := range picked {
		if p.cite >= len(hits) {
			continue
		}
		r := hits[p.cite].region
		if r == "" {
			r = "未注明地方"
		}
		mark := fmt.Sprintf("[%d]", p.cite+1)
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
		if !slices.Contains(cites[r], mark) {
			cites[r] = append(cites[r], mark)
		}
	}
	if len(regions) < 2 {
		return ""
	}
	var parts []string
	for _, r := range regions {
		parts = append(parts, strings.Join(cites[r], "")+"是"+r+"的")
	}
	return "（这几条出自不同地方的文件：" + strings.Join(parts, "，") + "。各地的规定不一样，以您所在地的为准。）"
}

// citeMark is a citation's number in an answer: "[2]".
var citeMark = regexp.MustCompile(`\[(\d+)\]`)

// citedIn lists the citations an answer's text refers to, in the order it
// first does, as sentences of no text for placesNote.
func citedIn(text string) []sentence {
	var out []sentence
	seen := map[int]bool{}
	for _, m := range citeMark.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, sentence{cite: n - 1})
	}
	return out
}

// duplicate: a sentence that another picked one already says (the same
// rule repeated in two documents, or a passage's overlap).
func duplicate(t string, picked []sentence) bool {
	a := bigramSet(t)
	for _, p := range picked {
		b := bigramSet(p.text)
		if share(a, b) > 0.8 || share(b, a) > 0.8 {
			return true
		}
	}
	return false
}

// itemCloseness is, for each of the best passages, the cosine similarity
// of the question to each of its items, from the items' stored vectors:
// the model scores sentences without embedding anything again.
func (s *Service) itemCloseness(ctx context.Context, hits []hit, qvec []float32) []map[string]float64 {
	n := min(len(hits), extractPassages)
	out := make([]map[string]float64, n)
	docs := make([]string, n)
	parents := make([]int32, n)
	for i := range n {
		out[i] = map[string]float64{hits[i].item: hits[i].sim}
		for _, o := range hits[i].others {
			out[i][o.item] = o.sim
		}
		docs[i], parents[i] = hits[i].Doc, int32(hits[i].parent)
	}
	if len(qvec) == 0 || n == 0 {
		return out
	}
	rows, err := s.pool.Query(ctx, `
		SELECT p.i, c.text, e.embedding
		FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS p(doc, parent, i)
		JOIN documents d ON d.name = p.doc
		JOIN chunks c ON c.document_id = d.id AND c.parent = p.parent
		JOIN chunk_embeddings e ON e.chunk_id = c.id AND e.model = $3`, docs, parents, s.embedder.Model())
	if err != nil {
		s.log.Warn("extractive: read item vectors", "err", err)
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var text string
		var v pgvector.Vector
		if err := rows.Scan(&i, &text, &v); err != nil {
			s.log.Warn("extractive: read item vectors", "err", err)
			return out
		}
		out[i-1][text] = cosine(qvec, v.Slice())
	}
	return out
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

// lostDashNote is the reminder beside a figure that probably lost its dash.
func lostDashNote(d document.Doubt) string {
	return fmt.Sprintf("（提醒：原文这里写的是“%s”，很可能是“%s”漏了连接号，具体以当地民政部门的答复为准。）", d.Words, d.Guess)
}

// withLostDashNotes adds to a generated answer the reminder for each figure
// it repeats from a passage where the figure probably lost its dash.
func withLostDashNotes(answer string, cites []Citation) string {
	seen := map[string]bool{}
	for _, c := range cites {
		for _, d := range document.DoubtsIn(c.Text) {
			if d.Kind == document.DoubtLostDash && !seen[d.Words] && strings.Contains(answer, d.Words) {
				seen[d.Words] = true
				answer += "\n" + lostDashNote(d)
			}
		}
	}
	return answer
}

// maskedNote explains the xx of a document published with its figures and
// names masked.
const maskedNote = "（原文里的“xx”是文件公开时隐去的数字或名称，不是漏字。）"
