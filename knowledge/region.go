package knowledge

import (
	"sort"
	"strings"
)

// regionNames maps the start of a region id ("guizhou-2020", as the
// eligibility profiles name regions) to the place names documents use.
var regionNames = map[string][]string{
	"beijing": {"北京"}, "tianjin": {"天津"}, "shanghai": {"上海"}, "chongqing": {"重庆"},
	"hebei": {"河北"}, "shanxi": {"山西"}, "liaoning": {"辽宁"}, "jilin": {"吉林"},
	"heilongjiang": {"黑龙江"}, "jiangsu": {"江苏"}, "zhejiang": {"浙江"}, "anhui": {"安徽"},
	"fujian": {"福建"}, "jiangxi": {"江西"}, "shandong": {"山东"}, "henan": {"河南"},
	"hubei": {"湖北"}, "hunan": {"湖南"}, "guangdong": {"广东"}, "hainan": {"海南"},
	"sichuan": {"四川", "珙县", "宜宾"}, "guizhou": {"贵州"}, "yunnan": {"云南"},
	"shaanxi": {"陕西"}, "gansu": {"甘肃"}, "qinghai": {"青海", "刚察", "海北"},
	"neimenggu": {"内蒙古"}, "guangxi": {"广西"}, "xizang": {"西藏"}, "ningxia": {"宁夏"},
	"xinjiang": {"新疆"}, "gongxian": {"珙县"}, "gangcha": {"刚察"},
}

// regionBoost multiplies the score of passages from the resident's region:
// enough to order among near-equals, not to bury a better national answer.
const regionBoost = 1.25

// placeNames returns the place names a --region value stands for: the
// names of a known id, or the value itself (a Chinese place name).
func placeNames(region string) []string {
	r := strings.ToLower(strings.TrimSpace(region))
	if r == "" {
		return nil
	}
	for id, names := range regionNames {
		if r == id || strings.HasPrefix(r, id+"-") || strings.HasPrefix(r, id+"_") {
			return names
		}
	}
	return []string{strings.TrimSpace(region)}
}

func boostRegion(hits []hit, region string) {
	boostPlaces(hits, placeNames(region), regionBoost)
}

// ofPlace: h's document is of one of the named places, by its region or
// its title.
func ofPlace(h hit, named []string) bool {
	for _, n := range named {
		if strings.Contains(h.region, n) || strings.Contains(h.Title, n) {
			return true
		}
	}
	return false
}

// boostPlaces multiplies by factor the score of hits from documents of the
// named places, and orders hits again.
func boostPlaces(hits []hit, names []string, factor float64) {
	if factor <= 1 {
		return
	}
	for i := range hits {
		if ofPlace(hits[i], names) {
			hits[i].Score *= factor
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
}
