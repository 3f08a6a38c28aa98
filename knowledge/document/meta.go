package document

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// meta is what the text says about itself. strong hints (markdown front
// matter) win over what we infer from the text; weak ones (html <title>,
// docx core properties) only fill gaps.
type meta struct {
	title, issuer, date, source string
	strong                      bool
}

var (
	dateRe = regexp.MustCompile(`(\d{4})\s*(?:年|-|\.|/)\s*(\d{1,2})\s*(?:月|-|\.|/)\s*(\d{1,2})`)

	// "X关于印发《Y》的通知": the notice wraps the real document Y, issued by X.
	noticeRe = regexp.MustCompile(`(?m)^[ \t]*([\p{Han}、]{0,40}?)关于(?:印发|转发|发布)《?([^《》\n]{4,80}?)》?的(?:通知|通告|决定)`)

	// org suffixes that end the name of an issuing body.
	orgSuffix = `(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|政府|民政厅|民政局|扶贫办|厅|局|办|委|部|院|会)`
	// a signature: issuing bodies alone at a line start, then the date.
	signatureRe = regexp.MustCompile(`(?m)^[ \t]*((?:\p{Han}{2,20}?` + orgSuffix + `)+)[ \t]*\n?[ \t]*(\d{4}年\d{1,2}月\d{1,2}日)`)
	// a new body starts at a place name right after an org suffix.
	orgBoundary = regexp.MustCompile(orgSuffix + `(\p{Han}{1,3}(?:省|市|县|区|州|旗))`)

	labelDateRe   = regexp.MustCompile(`(?:【(?:公布|发布|发文|成文)日期】|(?:发布|发文|成文|公布)(?:时间|日期)\s*[:：]|(?:^|\s)(?:时间|日期)\s*[:：])\s*(\d{4}\s*(?:年|-|\.|/)\s*\d{1,2}\s*(?:月|-|\.|/)\s*\d{1,2})`)
	labelIssuerRe = regexp.MustCompile(`(?:【(?:制定机关|发文机关|发布机构)】|(?:消息来源|信息来源|来源|发布机构|发文机关)\s*[:：])\s*([\p{Han}、]{2,40})`)
)

// extractMeta finds title, issuer and date in the (uncleaned) text.
func extractMeta(text string, hints meta) meta {
	m := meta{source: hints.source}
	text = digitDates(text)
	head := text
	if len(head) > 6000 {
		head = head[:6000]
	}

	// Title.
	if hints.strong && hints.title != "" {
		m.title = hints.title
	} else if g := noticeRe.FindStringSubmatch(head); g != nil {
		m.title = strings.TrimSpace(g[2])
	} else if hints.title != "" {
		m.title = hints.title
	}

	// Issuer and date: a signature (bodies then date) is the most reliable.
	sigIssuer, sigDate := "", ""
	if g := signatureRe.FindStringSubmatch(text); g != nil {
		sigIssuer = strings.Join(splitOrgs(g[1]), " ")
		sigDate = parseDate(g[2])
	}
	switch {
	case hints.strong && hints.issuer != "":
		m.issuer = hints.issuer
	case sigIssuer != "":
		m.issuer = sigIssuer
	default:
		if g := noticeRe.FindStringSubmatch(head); g != nil && g[1] != "" {
			m.issuer = strings.Join(expandOrgs(strings.Split(g[1], "、")), " ")
		} else if g := labelIssuerRe.FindStringSubmatch(head); g != nil {
			m.issuer = strings.Join(expandOrgs(strings.Split(g[1], "、")), " ")
			m.issuer = expandShort(m.issuer, text)
		} else if hints.issuer != "" {
			m.issuer = hints.issuer
		}
	}
	switch {
	case hints.strong && hints.date != "":
		m.date = hints.date
	case sigDate != "":
		m.date = sigDate
	default:
		if g := labelDateRe.FindStringSubmatch(head); g != nil {
			m.date = parseDate(g[1])
		} else {
			m.date = hints.date
		}
	}
	return m
}

// splitOrgs cuts "贵州省民政厅贵州省扶贫办" into its bodies.
func splitOrgs(s string) []string {
	var out []string
	for {
		loc := orgBoundary.FindStringSubmatchIndex(s)
		if loc == nil {
			break
		}
		cut := loc[2] // start of the next body's place name
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

var placePrefix = regexp.MustCompile(`^\p{Han}{2,6}?(?:省|自治区|市|县|区|州)`)

// expandOrgs completes short forms that lean on the first body's place:
// "贵州省民政厅、省扶贫办" → 贵州省民政厅, 贵州省扶贫办.
func expandOrgs(orgs []string) []string {
	var out []string
	first := ""
	for _, o := range orgs {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if first == "" {
			first = placePrefix.FindString(o)
		} else if first != "" && utf8.RuneCountInString(o) > 1 {
			lvl, _ := utf8.DecodeRuneInString(o)
			if strings.ContainsRune("省市县区州", lvl) && !placePrefix.MatchString(o[len(string(lvl)):]) {
				if i := strings.LastIndex(first, string(lvl)); i >= 0 {
					o = first[:i] + o
				}
			}
		}
		out = append(out, o)
	}
	return out
}

// expandShort completes an issuer given as "县民政局" from the text, where
// the full name (刚察县民政局) usually appears.
func expandShort(issuer, text string) string {
	lvl, _ := utf8.DecodeRuneInString(issuer)
	if !strings.ContainsRune("省市县区州", lvl) {
		return issuer
	}
	re, err := regexp.Compile(`\p{Han}{2,4}` + regexp.QuoteMeta(issuer))
	if err != nil {
		return issuer
	}
	for _, full := range re.FindAllString(text, -1) {
		// the place name must end right before the short form's level word
		if p := placePrefix.FindString(full); p != "" && strings.HasSuffix(p, string(lvl)) {
			return full
		}
	}
	return issuer
}

// cnDate is a date in Chinese numerals, as official documents sign them:
// 二〇二〇年六月十七日.
var cnDate = regexp.MustCompile(`([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日`)

// digitDates rewrites Chinese-numeral dates with digits, for metadata only.
func digitDates(text string) string {
	return cnDate.ReplaceAllStringFunc(text, func(s string) string {
		g := cnDate.FindStringSubmatch(s)
		var y strings.Builder
		for _, r := range g[1] {
			y.WriteString(strconv.Itoa(cnNumber(string(r))))
		}
		mo, d := cnNumber(g[2]), cnNumber(g[3])
		if mo == 0 || d == 0 {
			return s
		}
		return fmt.Sprintf("%s年%d月%d日", y.String(), mo, d)
	})
}

// parseDate turns 2020年6月17日, 2018.03.22 or 2021-04-21 into YYYY-MM-DD;
// "" when it finds no valid date.
func parseDate(s string) string {
	g := dateRe.FindStringSubmatch(s)
	if g == nil {
		return ""
	}
	y, _ := strconv.Atoi(g[1])
	mo, _ := strconv.Atoi(g[2])
	d, _ := strconv.Atoi(g[3])
	if y < 1949 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
}

// firstTitleLine is the fallback title: the first short line of the cleaned
// text that reads like a heading rather than prose.
func firstTitleLine(cleaned string) string {
	for i, line := range strings.Split(cleaned, "\n") {
		if i > 8 {
			break
		}
		line = strings.TrimSpace(strings.TrimLeft(line, "# "))
		n := utf8.RuneCountInString(line)
		if n >= 6 && n <= 80 && !strings.ContainsAny(line, "。；;") && markerAt(line) == nil {
			return line
		}
	}
	return ""
}
