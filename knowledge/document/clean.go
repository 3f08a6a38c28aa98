package document

import (
	_ "embed"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed spam.txt
var spamList string

// knownSpam are spam words from spam.txt.
var knownSpam = func() []string {
	var out []string
	for _, line := range strings.Split(spamList, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}()

var (
	ratingImage = regexp.MustCompile(`!\[[^\]\n]*\]\([^)\n]*\)`)
	// "文章属性•【制定机关】…•【主题分类】…正文": a law-database widget.
	attrWidget = regexp.MustCompile(`文章属性(?:\s*•?\s*【[^】\n]{1,10}】[^•\n]{0,40}?)+?正文`)
	fileLine   = regexp.MustCompile(`^(.{4,120}?)\.(?:docx?|pdf|wps|txt|pptx?|xlsx?)$`)

	// noiseLine matches lines of site chrome. Most only count on short lines
	// (see Clean) so that a policy sentence that merely mentions a word stays.
	noiseLine = []*regexp.Regexp{
		regexp.MustCompile(`^(?:当前位置|您的位置|您现在的位置|所在位置|当前页面)\s*[:：]`),
		regexp.MustCompile(`客服热线|客服电话|咨询热线\s*[:：]`),
		regexp.MustCompile(`扫一扫|手机端打开|手机扫码|微信扫描|分享到`),
		regexp.MustCompile(`【?字体\s*[:：]|^【?\s*(?:大|中|小)\s*(?:中|小)|打印本页|关闭窗口|【打印】|【关闭】`),
		regexp.MustCompile(`浏览量|浏览次数|阅读量|阅读次数|点击量|点击数|访问量`),
		regexp.MustCompile(`^(?:发布|发文|更新)?(?:时间|日期)\s*[:：]`),
		regexp.MustCompile(`于\d{4}年\d{1,2}月\d{1,2}日发表|发表于\s*\d{4}|^(?:作者|编辑|责任编辑|来源)\s*[:：]`),
		regexp.MustCompile(`^(?:图片|图|image|img|\[图片\])$`),
		regexp.MustCompile(`来源于网络|仅供参考|免责声明|版权所有|不对文章内容|转载请注明|ICP备|技术支持\s*[:：]`),
		regexp.MustCompile(`^(?:上一篇|下一篇|返回顶部|返回首页|相关阅读|相关链接|相关文章|推荐阅读|热门文章)|关于我们|联系我们|网站地图|加入我们|设为首页|加入收藏`),
	}
	// strongNoise marks a line as chrome whatever its length: download-site
	// wrappers and share prompts never occur in policy prose.
	strongNoise = regexp.MustCompile(`由会员分享|可在线阅读|分享文档赚钱|页珍藏版|淘文阁|原创力文档|道客巴巴|豆丁网|扫一扫在手机|在手机端打开`)
	navSep      = regexp.MustCompile(`[ \t]+`)
	// numbered link: "  12. 某区召开…" (a space after the dot: headline lists, not policy items)
	linkItem = regexp.MustCompile(`^(\d{1,3})[.、)]\s+\S`)
	// a bullet label of a download site's footer: "- 关 键 词:"
	footerLabel = regexp.MustCompile(`^[-•·]\s*[^:：]{1,12}[:：]\s*$`)
	// a page marker of a paginated capture: "5、兴有效衔接…"
	pageMarker = regexp.MustCompile(`^(\d{1,3})、`)
)

// normalize unifies line ends and spaces; it does not remove anything.
func normalize(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\ufeff", "", "\u200b", "", "\u200c", "", "\u200d", "",
		"\u2060", "", "\u00a0", " ", "\u3000", " ", "\t", " ", "\u2028", "\n", "\u2029", "\n").Replace(s)
	return s
}

// Clean removes what is not policy text from a captured document: site
// navigation and widgets, hotline and share lines, download-site wrappers,
// disclaimers, trailing headline lists, page markers, and spam words pasted
// into sentences. It keeps one paragraph a line, and every policy sentence.
func Clean(text string) string {
	text = normalize(text)
	text = ratingImage.ReplaceAllString(text, "")
	text = attrWidget.ReplaceAllString(text, "\n")
	text = removeSpam(text)

	lines := strings.Split(text, "\n")
	kept := make([]string, 0, len(lines))
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if g := fileLine.FindStringSubmatch(line); g != nil && !strings.ContainsAny(line, "。，,") {
			line = g[1] // a captured file name stands for the title
		}
		if isNoise(line) {
			continue
		}
		kept = append(kept, line)
	}
	kept = dropLinkLists(kept)
	kept = dropFooter(kept)
	kept = joinPages(kept)
	kept = dropRepeats(kept)
	kept = splitSignatures(kept)
	for i, line := range kept {
		kept[i] = tidySpaces(line)
	}
	return strings.Join(kept, "\n")
}

func isNoise(line string) bool {
	if strongNoise.MatchString(line) {
		return true
	}
	n := utf8.RuneCountInString(line)
	if n <= 100 {
		for _, re := range noiseLine {
			if re.MatchString(line) {
				return true
			}
		}
	}
	return isNavLine(line)
}

// isNavLine: a row of short link texts separated by spaces, no sentence.
func isNavLine(line string) bool {
	if strings.ContainsAny(line, "。，,；;：:！？!?、") {
		return false
	}
	fields := navSep.Split(line, -1)
	if len(fields) < 4 {
		return false
	}
	total := 0
	for _, f := range fields {
		n := utf8.RuneCountInString(f)
		if n > 20 {
			return false
		}
		total += n
	}
	return total <= 10*len(fields)
}

// dropRepeats removes a title repeated at the start of the next line
// ("…的通知" then "…的通知各市(州)民政局…"): captures often print it twice.
func dropRepeats(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		if n := len(out); n > 0 {
			prev := out[n-1]
			if pr := utf8.RuneCountInString(prev); pr >= 8 && pr <= 80 && strings.HasPrefix(line, prev) {
				if line = strings.TrimSpace(line[len(prev):]); line == "" {
					continue
				}
			}
		}
		out = append(out, line)
	}
	return out
}

// gluedSignature: issuing bodies and a date at a line start with the next
// text glued on ("贵州省民政厅贵州省扶贫办2018年3月22日贵州省…").
var gluedSignature = regexp.MustCompile(`^((?:\p{Han}{2,20}?` + orgSuffix + `)+\d{4}年\d{1,2}月\d{1,2}日)(\S.*)$`)

// splitSignatures puts a glued signature on a line of its own.
func splitSignatures(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		if g := gluedSignature.FindStringSubmatch(line); g != nil {
			out = append(out, g[1], g[2])
			continue
		}
		out = append(out, line)
	}
	return out
}

// dropLinkLists removes runs of 5+ consecutively numbered short lines without
// sentences: the "related headlines" lists sites append.
func dropLinkLists(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); {
		j, want := i, 1
		if g := linkItem.FindStringSubmatch(lines[i]); g != nil {
			want, _ = strconv.Atoi(g[1])
		}
		prose := 0
		for j < len(lines) {
			g := linkItem.FindStringSubmatch(lines[j])
			if g == nil {
				break
			}
			if n, _ := strconv.Atoi(g[1]); n != want {
				break
			}
			if strings.ContainsAny(lines[j], "。；;") || utf8.RuneCountInString(lines[j]) > 80 {
				prose++
			}
			want++
			j++
		}
		if run := j - i; run >= 5 && prose*5 <= run {
			i = j
			continue
		}
		out = append(out, lines[i])
		i++
	}
	return out
}

// dropFooter cuts a download site's footer ("- 配套讲稿:" … to the end)
// when it starts in the last third of the text.
func dropFooter(lines []string) []string {
	for i := len(lines) * 2 / 3; i < len(lines); i++ {
		if footerLabel.MatchString(lines[i]) {
			return lines[:i]
		}
	}
	return lines
}

// joinPages undoes the pagination of some captures: lines that start with
// a running page number "1、", "2、"… and continue the previous line's
// sentence. Real list items end their sentences; page breaks cut them.
func joinPages(lines []string) []string {
	var idx []int
	want, long, cut := 1, 0, 0
	for i, line := range lines {
		g := pageMarker.FindStringSubmatch(line)
		if g == nil {
			continue
		}
		if n, _ := strconv.Atoi(g[1]); n != want {
			continue
		}
		idx = append(idx, i)
		want++
		if utf8.RuneCountInString(line) >= 120 {
			long++
		}
		if i > 0 && want > 2 && !endsSentence(lines[i-1]) {
			cut++
		}
	}
	if len(idx) < 3 || long*2 < len(idx) || cut*2 < len(idx)-1 {
		return lines
	}
	isPage := make(map[int]bool, len(idx))
	for _, i := range idx {
		isPage[i] = true
	}
	out := make([]string, 0, len(lines))
	for i, line := range lines {
		if !isPage[i] {
			out = append(out, line)
			continue
		}
		body := pageMarker.ReplaceAllString(line, "")
		if i != idx[0] && len(out) > 0 && !endsSentence(out[len(out)-1]) {
			out[len(out)-1] += body
		} else {
			out = append(out, body)
		}
	}
	return out
}

// endsSentence: the line ends with 。！？； possibly followed by closing
// quotes or brackets. A closing quote alone ends a phrase, not a sentence.
func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune("。！？!?；;", r):
			return true
		case strings.ContainsRune("”\"」』)）’", r):
			s = s[:len(s)-size]
		default:
			return false
		}
	}
	return false
}

// tidySpaces drops spaces between Chinese characters (layout artifacts such
// as "工 作") and collapses other runs of spaces.
func tidySpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	if g := mdHeading.FindStringSubmatch(s); g != nil {
		// keep a markdown heading's "## " intact
		return g[1] + " " + tidySpaces(g[2])
	}
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		if rs[i] != ' ' {
			b.WriteRune(rs[i])
			continue
		}
		j := i
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		if i > 0 && j < len(rs) && (wide(rs[i-1]) || wide(rs[j])) {
			i = j - 1
			continue
		}
		if i > 0 && j < len(rs) {
			b.WriteRune(' ')
		}
		i = j - 1
	}
	return b.String()
}

// wide: Han characters and full-width punctuation, between which Chinese
// text has no spaces.
func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) ||
		strings.ContainsRune("“”‘’《》【】、，。：；！？（）—…·", r)
}

// spam detection ---------------------------------------------------------

var (
	// a brand word alone on a line near the top: a site's watermark.
	watermark = regexp.MustCompile(`^\p{Han}{1,5}(?:网|站|吧|城)$`)
	// slots where a pasted word shows: before 总书记 (a name belonged there),
	// after 《 or after an issuing body and before a verb (关于 belonged there).
	spamSlots = []*regexp.Regexp{
		regexp.MustCompile(`(\p{Han}{1,4}网)(?:总书记|主席|同志)`),
		regexp.MustCompile(`《\p{Han}{0,6}?(\p{Han}{1,4}网)(?:实施|实现|改革|加强|进一步|做好|推进|印发|开展|建立|完善|贯彻|落实|促进|健全|全面)`),
		regexp.MustCompile(`(?:院|委|府|厅|局|部|省)(\p{Han}{1,4}网)(?:实施|实现|改革|加强|进一步|做好|推进|印发|开展|建立|完善|贯彻|落实|促进|健全|全面)`),
	}
	// words ending in 网 that are real words and never spam.
	realNetWords = []string{"互联网", "因特网", "物联网", "局域网", "电网", "管网", "安全网", "保障网", "防控网", "服务网", "信息网", "关系网", "一张网", "政务网", "官网", "联网", "上网", "织网", "渔网", "天网", "法网", "网"}
)

// spamTokens finds the spam words of one text: the known list, site
// watermarks, and words that sit where spam sits at least twice.
func spamTokens(text string) []string {
	set := map[string]bool{}
	for _, w := range knownSpam {
		if strings.Contains(text, w) {
			set[w] = true
		}
	}
	for i, line := range strings.Split(text, "\n") {
		if i > 12 {
			break
		}
		line = strings.TrimSpace(line)
		if watermark.MatchString(line) && strings.Count(text, line) >= 2 && !isRealNetWord(line) {
			set[line] = true
		}
	}
	counts := map[string]int{} // strings.Count is O(n): count each word once
	count := func(w string) int {
		c, ok := counts[w]
		if !ok {
			c = strings.Count(text, w)
			counts[w] = c
		}
		return c
	}
	for _, re := range spamSlots {
		for _, g := range re.FindAllStringSubmatch(text, -1) {
			if w := bestSpamWord(g[1], count); w != "" {
				set[w] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	// longest first, so that a longer word is replaced before its suffix
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (len(out[j]) > len(out[j-1]) || len(out[j]) == len(out[j-1]) && out[j] < out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// bestSpamWord picks, of the suffixes of a candidate ending in 网, the
// longest that occurs as often as its shortest suffix, and at least twice:
// a regex cannot tell where the pasted word begins, repetition can.
func bestSpamWord(cand string, count func(string) int) string {
	rs := []rune(cand)
	best, base := "", -1
	for k := 2; k <= len(rs); k++ { // k runes, the last being 网
		w := string(rs[len(rs)-k:])
		c := count(w)
		if base < 0 {
			base = c
		}
		if c >= 2 && c == base && k >= 3 {
			best = w
		}
	}
	if best == "" || isRealNetWord(best) {
		return ""
	}
	return best
}

func isRealNetWord(w string) bool {
	for _, r := range realNetWords {
		if strings.HasSuffix(w, r) && utf8.RuneCountInString(w)-utf8.RuneCountInString(r) <= 1 {
			return true
		}
	}
	return false
}

// removeSpam deletes spam words. Where a name belonged (before 总书记) or
// 关于 already stands, the word goes; elsewhere it stood for 关于, which the
// sentence needs back ("《关于实现…的实施方案》").
func removeSpam(text string) string {
	for _, w := range spamTokens(text) {
		var b strings.Builder
		rest := text
		for {
			i := strings.Index(rest, w)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			before, after := rest[:i], rest[i+len(w):]
			b.WriteString(before)
			switch {
			case strings.TrimSpace(after) == "" || strings.HasPrefix(after, "\n"):
				// alone at a line end: a watermark
			case strings.HasSuffix(before, "关于") || strings.HasPrefix(after, "关于"):
			case strings.HasPrefix(after, "总书记"), strings.HasPrefix(after, "主席"), strings.HasPrefix(after, "同志"):
			case strings.HasSuffix(before, "\n") || before == "" || strings.HasPrefix(after, "，") || strings.HasPrefix(after, ",") || strings.HasPrefix(after, "。"):
				// at a line start or before punctuation it stood for nothing
			default:
				b.WriteString("关于")
			}
			rest = after
		}
		text = b.String()
	}
	return text
}
