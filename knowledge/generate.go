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
//
// Each citation's place and asked, the place the question is about, go
// into the prompt, so that the model does not give one province's rule as
// another's.
func (s *Service) generate(ctx context.Context, question string, cites []Citation, asked string) (string, error) {
	type source struct{ Title, Section, Place, Text string }
	srcs := make([]source, len(cites))
	for i, c := range cites {
		srcs[i] = source{Title: asData(c.Title), Section: asData(c.Section), Place: c.Place, Text: asData(c.Text)}
	}
	system, err := prompts.Render("answer_system", map[string]any{"Hotline": s.opts.Hotline})
	if err != nil {
		return "", err
	}
	user, err := prompts.Render("answer_user", map[string]any{"Sources": srcs, "Question": asData(question), "Place": asked})
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
	quoted := map[string]bool{}
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
		// Sharing most words with a passage is not enough: "…可以申请，但要
		//先交200元手续费" or the passage with 不 added shares nearly all
		// of them. Every figure, condition and negation must be the
		// passage's own; else the passage's sentence stands in for it.
		var cited strings.Builder
		for _, n := range keep {
			cited.WriteString(cites[n-1].Text)
			cited.WriteByte('\n')
		}
		if bad := unsupportedClaim(content, cited.String(), hotline); bad != "" {
			quote := bestQuote(bg, cites[keep[0]-1].Text)
			if quote == "" || quoted[quote] {
				continue
			}
			quoted[quote] = true
			content, keep = quote, keep[:1]
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

// Words whose presence changes what a sentence claims. A generated
// sentence may use them only where the passage it cites does.
var (
	// Negations, checked with the word that follows them (不需 is not 不得).
	negations = []string{"不得", "不再", "不予", "不能", "不可", "不用", "不必", "不需", "没有", "禁止", "不", "没", "无", "非", "未", "勿"}
	// Conditions and limits, checked as they are written: 以上 and 以下
	// are opposites however alike they look.
	conditionWords = []string{"如果", "若", "只要", "只有", "除非", "凡是", "前提", "以上", "以下", "以内", "超过", "低于", "高于",
		"不低于", "不高于", "不超过", "不少于", "不足", "至少", "最多", "最高", "最低", "须", "必须", "应当", "需要", "先", "另外", "额外", "但", "手续费", "费用", "押金", "收取", "缴纳"}
	reDigits     = regexp.MustCompile(`\d+`)
	reFigure     = regexp.MustCompile(`\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千万亿半]+`)
	chineseValue = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
)

// unsupportedClaim returns the first figure, condition or negation of
// sentence that passage does not have, or "".
func unsupportedClaim(sentence, passage, hotline string) string {
	figures := figureSet(passage)
	for _, f := range reFigure.FindAllString(sentence, -1) {
		v := figureValue(f)
		if v == "" || f == hotline {
			continue
		}
		if !figures[v] {
			return f
		}
	}
	for _, w := range conditionWords {
		if strings.Contains(sentence, w) && !strings.Contains(passage, w) {
			return w
		}
	}
	rs := []rune(sentence)
	for i := 0; i < len(rs); i++ {
		for _, neg := range negations {
			nr := []rune(neg)
			if i+len(nr) > len(rs) || string(rs[i:i+len(nr)]) != neg {
				continue
			}
			// The negation with what it negates, as far as the passage
			// can be asked: one more character.
			ctx := neg
			if j := i + len(nr); j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				ctx += string(rs[j])
			}
			if !strings.Contains(passage, ctx) {
				return ctx
			}
			i += len(nr) - 1
			break
		}
	}
	return ""
}

// figureSet is every figure of a text by value, so that 2 and 两, 1,570
// and 1570 are the same figure.
func figureSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, f := range reFigure.FindAllString(text, -1) {
		if v := figureValue(f); v != "" {
			set[v] = true
		}
		// Each digit run alone as well: a date 2024-01-01 gives 2024, 01, 1.
		for _, d := range reDigits.FindAllString(f, -1) {
			set[strings.TrimLeft(d, "0")] = true
		}
	}
	return set
}

// figureValue normalises a figure: Arabic digits without separators or
// leading zeros, Chinese numerals to Arabic where they are a plain number.
// A lone Chinese numeral in a word (一些, 一般, 统一) is not a figure and
// gives "".
func figureValue(f string) string {
	if f[0] >= '0' && f[0] <= '9' {
		v := strings.ReplaceAll(f, ",", "")
		if t := strings.TrimLeft(v, "0"); t != "" && t[0] != '.' {
			return t
		}
		return v
	}
	rs := []rune(f)
	if len(rs) == 1 && (rs[0] == '一' || rs[0] == '半' || rs[0] == '万' || rs[0] == '千' || rs[0] == '百' || rs[0] == '亿') {
		return ""
	}
	n, section, digit := 0, 0, -1
	for _, r := range rs {
		switch r {
		case '十', '百', '千':
			unit := map[rune]int{'十': 10, '百': 100, '千': 1000}[r]
			if digit < 0 {
				digit = 1
			}
			section += digit * unit
			digit = -1
		case '万', '亿':
			unit := map[rune]int{'万': 10000, '亿': 100000000}[r]
			if digit > 0 {
				section += digit
			}
			n += section * unit
			section, digit = 0, -1
		case '半':
			return "半"
		default:
			d, ok := chineseValue[r]
			if !ok {
				return ""
			}
			if digit > 0 {
				// Digit by digit (二〇二四): read as written.
				digit = digit*10 + d
			} else {
				digit = d
			}
		}
	}
	if digit > 0 {
		section += digit
	}
	return strconv.Itoa(n + section)
}

// bestQuote is the passage's sentence closest to the generated one, in the
// passage's own words; "" when none is close enough to stand in for it.
func bestQuote(sentence map[string]bool, passage string) string {
	best, bestShare := "", 0.0
	for _, q := range splitCited(passage) {
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		if sh := share(sentence, bigramSet(q)); sh > bestShare {
			best, bestShare = q, sh
		}
	}
	if bestShare < supportShare {
		return ""
	}
	return best
}
