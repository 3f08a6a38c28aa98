package knowledge

import "testing"

func TestDescribesHousehold(t *testing.T) {
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"我家老人瘫痪在床没人照顾能申请什么", true},
		{"俺家男人干活摔断了腿，家里没收入了，有啥补助没有", true},
		{"我妈七十多岁一个人住，身体不好，能不能吃低保", true},
		{"孩子爸妈都不在了，跟着奶奶过，政府给不给钱", true},
		{"贵州农村低保标准是多少", false},
		{"低保渐退期是多长时间", false},
		{"特困人员的认定条件是什么", false},
		{"医保卡丢了怎么补办", false},
		{"家里老人去世了", false}, // tells, asks nothing
	} {
		if got := describesHousehold(c.q); got != c.want {
			t.Errorf("describesHousehold(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}
