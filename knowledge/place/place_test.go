package place

import (
	"slices"
	"testing"
)

func names(ms []Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestMentionedFindsFullAndShortNames(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"青海省海北州刚察县的低保标准", []string{"青海省", "海北州", "刚察县"}},
		{"俺是刚察的牧民", []string{"刚察"}},
		{"珙县低保渐退期多长时间", []string{"珙县"}},
		{"宜宾市和贵州有啥不一样", []string{"宜宾市", "贵州"}},
		{"黔西南布依族苗族自治州", []string{"黔西南布依族苗族自治州"}},
		{"在县城住了十来年", nil},
		{"低保怎么申请", nil},
	}
	for _, c := range cases {
		if got := names(Mentioned(c.text, nil)); !slices.Equal(got, c.want) {
			t.Errorf("Mentioned(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestMentionedLeavesOrdinaryWords(t *testing.T) {
	ordinary := func(w string) bool { return w == "资源" || w == "互助" }
	if got := names(Mentioned("资源县的互助养老和资源整合", ordinary)); !slices.Equal(got, []string{"资源县"}) {
		t.Errorf("got %q, want only the full name 资源县", got)
	}
	if got := names(Mentioned("互助的老人", nil)); !slices.Equal(got, []string{"互助"}) {
		t.Errorf("without a word list every short name counts, got %q", got)
	}
}

func TestShortNamesOfAutonomousDivisions(t *testing.T) {
	for name, want := range map[string]string{"海北": "海北藏族自治州", "民和": "民和回族土族自治县", "黔西南州": "黔西南布依族苗族自治州", "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区"} {
		ds := Lookup(name)
		if !slices.ContainsFunc(ds, func(d Division) bool { return d.Name == want }) {
			t.Errorf("Lookup(%q) = %v, want %s among them", name, ds, want)
		}
	}
	if ds := Lookup("城区"); len(ds) > 0 && slices.ContainsFunc(ds, func(d Division) bool { return d.Name != "城区" }) {
		t.Errorf("城区 stands only for divisions named so, got %v", ds)
	}
}

func TestRelate(t *testing.T) {
	one := func(n string) []Division {
		ds := Lookup(n)
		if len(ds) == 0 {
			t.Fatalf("no division named %s", n)
		}
		return ds
	}
	cases := []struct {
		doc, asked string
		want       Relation
	}{
		{"珙县", "珙县", Same},
		{"海北州", "海北藏族自治州", Same},
		{"珙县", "宜宾", Inside},
		{"珙县", "四川", Inside},
		{"青海", "刚察县", Above},
		{"海北州", "刚察", Above},
		{"青海", "珙县", Elsewhere},
		{"贵州", "北京", Elsewhere},
		{"刚察县", "青海", Inside},
		// 海南 is both a province and a prefecture of 青海: the nearest counts.
		{"青海", "海南", Above},
	}
	for _, c := range cases {
		if got := Relate(one(c.doc), one(c.asked)); got != c.want {
			t.Errorf("Relate(%s, %s) = %d, want %d", c.doc, c.asked, got, c.want)
		}
	}
	if Relate(nil, one("珙县")) != Unknown || Relate(one("珙县"), nil) != Unknown {
		t.Error("a side without a place relates as Unknown")
	}
}

func TestNarrowest(t *testing.T) {
	var ds []Division
	for _, m := range Mentioned("四川省宜宾市珙县人民政府", nil) {
		ds = append(ds, m.Divisions...)
	}
	got := Narrowest(ds)
	if len(got) != 1 || got[0].Name != "珙县" {
		t.Errorf("Narrowest = %v, want only 珙县", got)
	}
	both := append(Lookup("青海"), Lookup("贵州")...)
	if got := Narrowest(both); len(got) != 2 {
		t.Errorf("two provinces are both kept, got %v", got)
	}
}

func TestPath(t *testing.T) {
	for name, want := range map[string]string{"珙县": "四川省宜宾市珙县", "刚察县": "青海省海北藏族自治州刚察县", "贵州": "贵州省", "宜宾": "四川省宜宾市"} {
		ds := Lookup(name)
		if len(ds) != 1 || ds[0].Path() != want {
			t.Errorf("Lookup(%q) = %v, want one with path %s", name, ds, want)
		}
	}
}
