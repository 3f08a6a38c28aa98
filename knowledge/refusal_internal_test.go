package knowledge

import "testing"

// lacks reads what a question asks for, not every 几 or 多少 in it: a
// resident's story says "住了好几年" and asks something else.
func TestLacksReadsWhatIsAsked(t *testing.T) {
	noFigures := []string{"乡镇经办机构统一受理社会救助申请。"}
	withSpan := []string{"渐退期一般为6个月。"}
	for _, c := range []struct {
		question string
		passages []string
		want     bool
	}{
		{"渐退期有多长时间？", noFigures, true},
		{"渐退期有多长时间？", withSpan, false},
		{"低保一个月发多少钱", noFigures, true},
		{"申请了几天能批下来", noFigures, true},
		{"在城里租房住了好几年，能在城里申请救助吗？", noFigures, false},
		{"前几天房子塌了，能申请临时救助吗", noFigures, false},
		{"十几年前就离婚了，孩子能吃低保吗", noFigures, false},
		{"家里没多少钱了，能申请救助吗", noFigures, false},
		{"出院没多久又病了，能申请吗", noFigures, false},
		{"住了好几年了，低保标准是多少", noFigures, true},
		{"申请低保要带啥材料", noFigures, true},
		{"申请低保要带啥材料", []string{"申请时提交身份证、户口簿复印件。"}, false},
	} {
		if got := readAsk(c.question, nil).lacks(plain(c.passages...), nil); got != c.want {
			t.Errorf("lacks(%q) = %v, want %v", c.question, got, c.want)
		}
	}
}

// A figure answers only in a sentence about what the question names.
func TestLacksWantsTheFigureOfTheSubject(t *testing.T) {
	passages := []string{"建立孤儿基本生活补助标准动态增长机制。城市低保标准提高到每人每月600元。"}
	question := "孤儿基本生活费每个月发多少钱"
	orphans := []subjectWord{{"孤儿", 3}, {"基本", 1}, {"生活费", 2}}
	if !readAsk(question, orphans).lacks(plain(passages...), nil) {
		t.Error("the 600 元 of 城市低保 taken for the orphans' allowance")
	}
	if readAsk(question, nil).lacks(plain(passages...), nil) {
		t.Error("without a subject any amount should do")
	}
	dibao := []subjectWord{{"城市", 1}, {"低保", 2}}
	if readAsk("城市低保标准是多少钱", dibao).lacks(plain(passages...), nil) {
		t.Error("the sentence that states the 城市低保 amount not taken")
	}
}

// A question that asks for money by name wants a sum of money; one that
// asks for a standard may be answered by a multiple of another.
func TestLacksWantsMoneyWhenMoneyIsAsked(t *testing.T) {
	multiple := []string{"特困人员基本生活标准达当地城市低保标准1.3倍以上。"}
	sum := []string{"城市低保标准提高到每人每月600元。"}
	for _, c := range []struct {
		question string
		passages []string
		want     bool
	}{
		{"城市低保标准每月多少元", multiple, true},
		{"特困人员一个月给多少钱", multiple, true},
		{"城市低保标准每月多少元", sum, false},
		{"特困人员的供养标准是多少", multiple, false},
		{"特困人员生活标准是低保的几倍", multiple, false},
		{"特困人员生活标准是低保的几倍", []string{"特困人员生活标准逐步提高。"}, true},
		{"特困人员的供养标准是多少", sum, false},
	} {
		if got := readAsk(c.question, nil).lacks(plain(c.passages...), nil); got != c.want {
			t.Errorf("lacks(%q, %q) = %v, want %v", c.question, c.passages, got, c.want)
		}
	}
}

// A year or a month by its name, a period something has gone on for, and a
// phase such as 十四五时期 are no answer to "how long" or "at what time";
// a frequency is an answer to "how often".
func TestLacksTellsDatesFromSpans(t *testing.T) {
	for _, c := range []struct {
		question, passage string
		want              bool
	}{
		{"申请交上去多少天能批下来", "2020年4月底前，研究制订工作方案。", true},
		{"申请交上去多少天能批下来", "近半年来，全省办理跨县域申请1.2万件。", true},
		{"申请交上去多少天能批下来", "三年来共审核申请3万件。", true},
		{"申请交上去多少天能批下来", "乡镇应在15个工作日内完成审核。", false},
		{"渐退期有多长时间", "给予不少于1年的渐退期。", false},
		{"信息多久更新一回", "信息按季度动态更新。", false},
		{"几点开饭", "十四五时期建设幸福食堂。", true},
		{"几点开饭", "幸福食堂每天11点开饭。", false},
		{"几点开饭", "饭菜价格再低一点。", true},
	} {
		if got := readAsk(c.question, nil).lacks(plain(c.passage), nil); got != c.want {
			t.Errorf("lacks(%q, %q) = %v, want %v", c.question, c.passage, got, c.want)
		}
	}
}

// A figure of another year does not answer a question about one year.
func TestLacksWantsTheYearAsked(t *testing.T) {
	passage := []string{"2018年、2020年，全省农村低保年均标准分别提高到3908元、4500元。"}
	for _, c := range []struct {
		question string
		want     bool
	}{
		{"贵州2021年农村低保标准是多少钱", true},
		{"贵州二零二一年农村低保标准一年多少钱", true},
		{"贵州二〇二〇年农村低保标准一年多少钱", false},
		{"贵州2018年农村低保一年多少钱", false},
		{"贵州农村低保标准一年多少钱", false},
	} {
		if got := readAsk(c.question, nil).lacks(plain(passage...), nil); got != c.want {
			t.Errorf("lacks(%q) = %v, want %v", c.question, got, c.want)
		}
	}
	if got := yearsNamed("二零二一年和2019年"); len(got) != 2 || got[0] != "2021" || got[1] != "2019" {
		t.Errorf("yearsNamed = %v", got)
	}
}

func plain(texts ...string) []shown {
	out := make([]shown, len(texts))
	for i, t := range texts {
		out[i] = shown{text: t}
	}
	return out
}

// A question naming a place of the corpus wants that place's figure.
func TestLacksWantsThePlaceAsked(t *testing.T) {
	q := "刚察县城市低保一个月多少钱"
	named := []string{"刚察县"}
	other := []shown{{text: "城市低保标准提高到每人每月600元。", elsewhere: true}}
	if !readAsk(q, nil).lacks(other, named) {
		t.Error("another place's amount taken for 刚察县's")
	}
	if readAsk(q, nil).lacks([]shown{{text: "刚察县城市低保标准为每人每月700元。", elsewhere: true}}, named) {
		t.Error("a sentence naming 刚察县 not taken")
	}
	if readAsk(q, nil).lacks([]shown{{text: "城市低保标准提高到每人每月700元。"}}, named) {
		t.Error("the amount of 刚察县's own document not taken")
	}
}

// A policy word counts in part when a document says it longer.
func TestSaysCountsAWordInPart(t *testing.T) {
	for _, c := range []struct {
		sentence, word string
		want           float64
	}{
		{"实行3—12个月的渐退救助期", "渐退救助期", 1},
		{"实行3—12个月的渐退救助期", "渐退期", 0.5},
		{"实行3—12个月的渐退救助期", "孤儿", 0},
		{"实行3—12个月的渐退救助期", "退出", 0},
	} {
		if got := says(c.sentence, c.word); got != c.want {
			t.Errorf("says(%q, %q) = %v, want %v", c.sentence, c.word, got, c.want)
		}
	}
}
