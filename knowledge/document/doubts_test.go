package document

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDoubts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		want       []Doubt
	}{
		{"lost dash in months", "视其情况实行312个月的渐退救助期。",
			[]Doubt{{Kind: DoubtLostDash, Words: "312个月", Quote: "视其情况实行312个月的渐退救助期。", Guess: "3—12个月"}}},
		{"lost dash in working days", "乡镇应在515个工作日内完成审核。",
			[]Doubt{{Kind: DoubtLostDash, Words: "515个工作日", Quote: "乡镇应在515个工作日内完成审核。", Guess: "5—15个工作日"}}},
		{"a real range is fine", "实行3—12个月的渐退期，15个工作日内办结。", nil},
		{"a year, a date, a big count are fine", "2020年5月1日起执行，全年365天，救助1200人，连续120天。", nil},
		{"a three-digit number that is no rising range", "满100个月的，或者300个工作日。", nil},
		{"masked figures", "全省xx家社会组织、XX名社工；（xx2022年）",
			[]Doubt{
				// twelve characters either side
				{Kind: DoubtPlaceholder, Words: "xx", Quote: "全省xx家社会组织、XX名社工；"},
				{Kind: DoubtPlaceholder, Words: "XX", Quote: "全省xx家社会组织、XX名社工；（xx2022年"},
				{Kind: DoubtPlaceholder, Words: "xx", Quote: "社会组织、XX名社工；（xx2022年）"},
			}},
		{"x in a Latin word is fine", "登录www.example.com或使用Xbox、Exxon、XXL码。", nil},
		{"garbled characters", "低保标准为\uFFFD\uFFFD元。",
			[]Doubt{{Kind: DoubtGarbled, Words: "\uFFFD", Quote: "低保标准为\uFFFD\uFFFD元。"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := Document{Name: "a.txt", Chunks: []Chunk{{Section: "二、(一)", Text: tc.text}}}
			for i := range tc.want {
				tc.want[i].Section = "二、(一)"
			}
			require.Equal(t, tc.want, Doubts(doc))
		})
	}
}

func TestDoubtsQuoteStaysOnItsLine(t *testing.T) {
	t.Parallel()
	doc := Document{Chunks: []Chunk{{Text: "第一行说了很多很多别的事情\n实行624个月\n第三行"}}}
	got := Doubts(doc)
	require.Len(t, got, 1)
	require.Equal(t, "实行624个月", got[0].Quote)
	require.Equal(t, "6—24个月", got[0].Guess)
}

func TestDoubtsAtMostThreeAChunk(t *testing.T) {
	t.Parallel()
	doc := Document{Chunks: []Chunk{{Text: "xx年xx月xx日xx时xx分"}, {Text: "共xx人"}}}
	got := Doubts(doc)
	require.Len(t, got, 4, "three of five from the first chunk, one from the second")
	require.Equal(t, []string{"xx年xx月xx日xx时xx", "xx年xx月xx日xx时xx分", "xx年xx月xx日xx时xx分"},
		[]string{got[0].Quote, got[1].Quote, got[2].Quote})
	require.Equal(t, "共xx人", got[3].Quote)
}

// The shared corpus holds both kinds: the 珙县 plan's "312个月" and the
// 2022 speeches' masked figures.
func TestCorpusDoubts(t *testing.T) {
	t.Parallel()
	docs := loadCorpus(t)
	kinds := map[string]map[DoubtKind]int{}
	for name, p := range docs {
		for _, d := range Doubts(p.doc) {
			if kinds[name] == nil {
				kinds[name] = map[DoubtKind]int{}
			}
			kinds[name][d.Kind]++
			if d.Kind == DoubtLostDash {
				require.Equal(t, "3—12个月", d.Guess, name)
				require.Contains(t, d.Quote, "312个月")
			}
		}
	}
	require.Equal(t, 1, kinds["001_5a044e6a7ae10426.txt"][DoubtLostDash])
	require.Positive(t, kinds["003_fbe516fa33e86af9.txt"][DoubtPlaceholder])
	for _, clean := range []string{"000_af371565f628b411.txt", "002_7906d49b427e11db.txt", "004_f3d72d4f8696011b.txt"} {
		require.Empty(t, kinds[clean], clean)
	}
}

func TestDoubtsIn(t *testing.T) {
	t.Parallel()
	got := DoubtsIn("实行312个月的渐退期，全省xx人，另有624个月的。")
	require.Len(t, got, 3)
	require.Equal(t, []DoubtKind{DoubtLostDash, DoubtLostDash, DoubtPlaceholder}, []DoubtKind{got[0].Kind, got[1].Kind, got[2].Kind})
	require.Equal(t, []string{"312个月", "624个月", "xx"}, []string{got[0].Words, got[1].Words, got[2].Words})
	require.Equal(t, []string{"3—12个月", "6—24个月"}, []string{got[0].Guess, got[1].Guess})
	require.Empty(t, DoubtsIn("实行3—12个月的渐退期，为2万名孤困儿童购买大病保险，见Exxon。"))
}
