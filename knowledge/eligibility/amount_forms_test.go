package eligibility_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// TestParseAmountAsPeopleSayIt: a hundred forms residents type for a
// month's amount, from the field trial's notes and from how figures are
// spoken: Chinese numerals, abbreviations, units, yearly amounts.
func TestParseAmountAsPeopleSayIt(t *testing.T) {
	t.Parallel()
	good := map[string]float64{
		// Chinese numerals with a unit word.
		"一百五十元": 150, "一百五十块": 150, "一百五": 150, "一百五十": 150, "一百零五": 105,
		"两百": 200, "二百": 200, "两百块钱": 200, "三百元": 300, "三百五十元": 350,
		"五百": 500, "八百八十八": 888, "九百九十九元": 999, "一千": 1000, "一千元": 1000,
		"一千二": 1200, "一千二百": 1200, "一千二百元": 1200, "一千零二十": 1020, "一千零二": 1002,
		"两千": 2000, "两千五": 2500, "两千五百": 2500, "两千五百块": 2500, "两千五百元": 2500,
		"三千": 3000, "三千六百": 3600, "四千零五十": 4050, "五千": 5000, "九千九": 9900,
		"一万": 10000, "一万二": 12000, "一万零五百": 10500, "两万": 20000, "十": 10,
		"十五": 15, "二十": 20, "五十块": 50, "六十元": 60, "九十九": 99,
		// Arabic numerals, with units and filler.
		"150": 150, "150元": 150, "150块": 150, "150块钱": 150, "1200": 1200,
		"1,200": 1200, "1200元": 1200, "1200 元": 1200, "１２００": 1200, "1200。": 1200,
		"1.2万": 12000, "1.2万元": 12000, "1.5千": 1500, "2.5千": 2500, "1.2k": 1200,
		"3k": 3000, "1万5": 15000, "2千5百": 2500, "2千5": 2500, "0.5万": 5000,
		"800左右": 800, "大概800": 800, "大约八百": 800, "差不多一千": 1000, "约1000元": 1000,
		"800块左右": 800, "一千块左右": 1000, "有800": 800, "能拿1500": 1500, "挣两千": 2000,
		"1500的样子": 1500, "两千上下": 2000, "1500吧": 1500, "300.5": 300.5, "1,234.56元": 1234.56,
		// Month words.
		"每月1500": 1500, "每个月1500元": 1500, "一个月1500": 1500, "1500一个月": 1500, "1500元/月": 1500,
		"月收入1500": 1500, "每月一千五": 1500, "一个月两千": 2000, "每个月三百块": 300, "每月1.2千": 1200,
		// Year words: turned into a month.
		"每年4500": 375, "每年4500元": 375, "一年4500": 375, "4500一年": 375, "4500元/年": 375,
		"年收入12000": 1000, "一年一万二": 1000, "每年一万二千元": 1000, "全年6000": 500, "一年下来2.4万": 2000,
		"每年三千六": 300, "一年到头一万八": 1500,
		// Nothing.
		"没有": 0, "无": 0, "没收入": 0, "零": 0, "0": 0, "0元": 0, "没有收入": 0,
	}
	require.GreaterOrEqual(t, len(good), 100)
	for in, want := range good {
		got, err := eligibility.ParseAmount(in)
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", in, err)
			continue
		}
		if got < want-0.005 || got > want+0.005 {
			t.Errorf("ParseAmount(%q) = %v, want %v", in, got, want)
		}
	}

	// Rough figures: asked again, with the range they span.
	vague := map[string][2]float64{
		"三百多": {300, 400}, "三百多块": {300, 400}, "一千多": {1000, 2000}, "一千来块": {1000, 2000},
		"两千余元": {2000, 3000}, "1500多": {1500, 1600}, "300多元": {300, 400}, "五十多": {50, 60},
		"每年四千多": {333, 417}, "两千出头": {2000, 3000},
	}
	for in, want := range vague {
		_, err := eligibility.ParseAmount(in)
		var ve *eligibility.VagueAmountError
		if !errors.As(err, &ve) {
			t.Errorf("ParseAmount(%q): err = %v, want a vague amount", in, err)
			continue
		}
		if ve.Low != want[0] || ve.High != want[1] {
			t.Errorf("ParseAmount(%q): range %v–%v, want %v–%v", in, ve.Low, ve.High, want[0], want[1])
		}
		if !errors.Is(err, eligibility.ErrNotAmount) {
			t.Errorf("ParseAmount(%q): a vague amount is also not an amount to compute with", in)
		}
	}

	// Not amounts at all.
	for _, in := range []string{"很多", "不知道", "-300", "一年", "每月", "多", "1500 2000", "几百", "一两千", "300-400"} {
		_, err := eligibility.ParseAmount(in)
		if !errors.Is(err, eligibility.ErrNotAmount) {
			t.Errorf("ParseAmount(%q): err = %v, want ErrNotAmount", in, err)
		}
	}
}

// The wizard answers "三百多" by asking for a figure in that range, and
// takes the figure given next.
func TestWizardAsksAgainForARoughAmount(t *testing.T) {
	t.Parallel()
	w := &eligibility.Wizard{}
	st, _ := w.Start()
	var p eligibility.Prompt
	for _, in := range []string{"guizhou-2020", "rural", "1", "40"} {
		var err error
		st, p, _, err = w.Step(st, in)
		require.NoError(t, err)
	}
	require.Equal(t, "income/0", p.Key)
	before := len(st.Answers)
	st2, p2, _, err := w.Step(st, "三百多")
	require.NoError(t, err)
	require.Len(t, st2.Answers, before, "not taken as an answer")
	require.Contains(t, p2.Text, "300 到 400 元之间")
	st3, _, _, err := w.Step(st2, "350")
	require.NoError(t, err)
	require.Len(t, st3.Answers, before+1)
	require.Equal(t, "350", st3.Answers[before])
}
