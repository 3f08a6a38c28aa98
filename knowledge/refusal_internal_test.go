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
		if got := lacks(c.question, nil, c.passages); got != c.want {
			t.Errorf("lacks(%q) = %v, want %v", c.question, got, c.want)
		}
	}
}

// A figure answers only in a sentence about what the question names.
func TestLacksWantsTheFigureOfTheSubject(t *testing.T) {
	passages := []string{"建立孤儿基本生活补助标准动态增长机制。城市低保标准提高到每人每月600元。"}
	question := "孤儿基本生活费每个月发多少钱"
	orphans := []subjectWord{{"孤儿", 3}, {"基本", 1}, {"生活费", 2}}
	if !lacks(question, orphans, passages) {
		t.Error("the 600 元 of 城市低保 taken for the orphans' allowance")
	}
	if lacks(question, nil, passages) {
		t.Error("without a subject any amount should do")
	}
	dibao := []subjectWord{{"城市", 1}, {"低保", 2}}
	if lacks("城市低保标准是多少钱", dibao, passages) {
		t.Error("the sentence that states the 城市低保 amount not taken")
	}
}
