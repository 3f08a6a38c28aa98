package knowledge

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/safetynet/safetynet/knowledge/place"
)

// regionNames maps the start of a region id ("guizhou-2020", as the
// eligibility profiles name regions) to its place.
var regionNames = map[string]string{
	"beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆",
	"hebei": "河北", "shanxi": "山西", "liaoning": "辽宁", "jilin": "吉林",
	"heilongjiang": "黑龙江", "jiangsu": "江苏", "zhejiang": "浙江", "anhui": "安徽",
	"fujian": "福建", "jiangxi": "江西", "shandong": "山东", "henan": "河南",
	"hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "hainan": "海南",
	"sichuan": "四川", "guizhou": "贵州", "yunnan": "云南",
	"shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海",
	"neimenggu": "内蒙古", "guangxi": "广西", "xizang": "西藏", "ningxia": "宁夏",
	"xinjiang": "新疆", "gongxian": "珙县", "gangcha": "刚察县",
}

// regionBoost multiplies the score of passages from the resident's region:
// enough to order among near-equals, not to bury a better national answer.
const regionBoost = 1.25

// regionPlace is the place a --region value stands for: the place of a
// known id, or the value itself (a Chinese place name).
func regionPlace(region string) string {
	if name, ok := placeOfID(region); ok {
		return name
	}
	return strings.TrimSpace(region)
}

// placeOfID is the place of a region id, with or without a suffix such as
// -2020.
func placeOfID(region string) (string, bool) {
	r := strings.ToLower(strings.TrimSpace(region))
	for id, name := range regionNames {
		if r == id || strings.HasPrefix(r, id+"-") || strings.HasPrefix(r, id+"_") {
			return name, true
		}
	}
	return "", false
}

// ofPlace: h's document is of one of the named places, by its region or
// its title. It stands in for the gazetteer where a name is not in it.
func ofPlace(h hit, named []string) bool {
	for _, n := range named {
		if strings.Contains(h.region, n) || strings.Contains(h.Title, n) {
			return true
		}
	}
	return false
}

// divisionsOf are the divisions a text names, the narrowest of each chain:
// a document's region "宜宾市 珙县" is of 珙县.
func divisionsOf(text string) []place.Division {
	var out []place.Division
	for _, m := range place.Mentioned(text, nil) {
		out = append(out, m.Divisions...)
	}
	return place.Narrowest(out)
}

// askedPlaces are the place names of the gazetteer a question holds, and
// the administrative divisions they stand for. A name counts only where
// the segmenter's words begin and end with it: "提高县里" holds 高县 (a
// county of 宜宾) only across 提高 and 县里.
func askedPlaces(question string) (names []string, divisions []place.Division) {
	mentions := place.Mentioned(question, ordinaryWord)
	if len(mentions) == 0 {
		return nil, nil
	}
	bound := map[int]bool{0: true}
	if seg, err := segmenter(); err == nil {
		at := 0
		for _, w := range seg.Cut(question, true) {
			at += len(w)
			bound[at] = true
		}
	}
	for _, m := range mentions {
		if !bound[m.At] || !bound[m.At+len(m.Name)] {
			continue
		}
		names = append(names, m.Name)
		divisions = append(divisions, m.Divisions...)
	}
	return names, divisions
}

// documentPlace names where a document's rules hold, as ranking reads it:
// the full path of each of its divisions ds, "全国" for a ministry's,
// "" when it names none.
func documentPlace(title string, ds []place.Division) string {
	if len(ds) == 0 {
		if national.MatchString(title) {
			return "全国"
		}
		return ""
	}
	var paths []string
	for _, d := range ds {
		paths = append(paths, d.Path())
	}
	return strings.Join(paths, "、")
}

// askedPlace is the place a question is about, in full (刚察 is
// "青海省海北藏族自治州刚察县"): the one it names, or the resident's
// region; "" if none.
func askedPlace(q query) string {
	var paths []string
	for _, d := range place.Narrowest(q.asked) {
		if p := d.Path(); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	return strings.Join(paths, "、")
}

// national: a document of the central government or a ministry, whose
// rules hold in every place. Its title names the issuer.
var national = regexp.MustCompile(`^(国务院|中共中央|民政部|财政部|人力资源社会保障部|人力资源和社会保障部|国家)`)

// ordinaryWord reports whether the segmenter's dictionary knows w as a
// common word other than a place name ("资源", "合作", "互助"): such a
// short place name is not read as a place. Rare words in its dictionary
// (刚察, 3 uses) are taken for names.
func ordinaryWord(w string) bool {
	seg, err := segmenter()
	if err != nil {
		return false
	}
	freq, pos, ok := seg.Find(w)
	return ok && pos != "ns" && freq >= 100
}

// applies reports whether h's document is of the place the question names
// or of one that holds it, so that its figures answer the question: a
// county's figure is not its province's when the province is asked.
func applies(h hit, q query, named []string) bool {
	if len(q.asked) > 0 {
		rel := placeRelation(h, q)
		// The resident's region may be given coarser than where they live
		// (a province): a county's figure in it may be theirs.
		return rel == place.Same || rel == place.Above || (q.byRegion && rel == place.Inside)
	}
	return len(named) == 0 || ofPlace(h, named)
}

// placeRelation is how h's document stands to the places the question
// names: by the gazetteer where both are in it, else by the names alone.
func placeRelation(h hit, q query) place.Relation {
	if rel := place.Relate(h.divisions, q.asked); rel != place.Unknown {
		return rel
	}
	if len(h.divisions) == 0 && len(q.asked) > 0 && national.MatchString(h.Title) {
		return place.Above
	}
	named := q.places
	if q.byRegion {
		named = []string{q.regionName}
	}
	if ofPlace(h, named) {
		return place.Same
	}
	return place.Unknown
}

// weighPlaces multiplies the scores of hits from the named place (or a
// place inside it) by own, and from another place by elsewhere, and orders
// hits again. A document of a place that holds the named one (a
// province's for its county) and a document of no place keep their score.
func weighPlaces(hits []hit, q query, own, elsewhere float64) {
	for i := range hits {
		switch placeRelation(hits[i], q) {
		case place.Same, place.Inside:
			hits[i].Score *= own
		case place.Elsewhere:
			// An example vouches for what a passage says, not for where
			// it holds: another place's passage keeps none of its weight.
			// (A passage of no known place keeps it: taking it away there
			// too cost 6 of 574 questions at rank 1.)
			hits[i].Score = (hits[i].Score - hits[i].vouch) * elsewhere
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
}

// elsewhereLast moves the hits of places that do not apply to the places
// asked after the others, keeping each group's order.
func elsewhereLast(hits []hit, q query) []hit {
	if len(q.asked) == 0 {
		return hits
	}
	out := make([]hit, 0, len(hits))
	var later []hit
	for _, h := range hits {
		if placeRelation(h, q) == place.Elsewhere {
			later = append(later, h)
		} else {
			out = append(out, h)
		}
	}
	return append(out, later...)
}
