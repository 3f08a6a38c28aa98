package knowledge

import "strings"

// A resident often describes a household instead of asking about a rule:
// "我家老人瘫痪在床没人照顾能申请什么". The documents answer part of it, and
// the pre-check answers the rest with the household's own figures, so the
// answer offers it. A question describes a household when it speaks of
// someone in it, of their situation, and asks what they may get.
var (
	householdPeople = []string{
		"我家", "俺家", "咱家", "我们家", "俺们家", "家里", "家中", "屋里", "屋头", "一家",
		"我爸", "我妈", "我父", "我母", "爹", "娘", "父母", "爸妈", "老人", "老伴", "老头", "老太",
		"孩子", "娃", "儿子", "女儿", "闺女", "孙子", "孙女", "老公", "媳妇", "婆娘", "丈夫", "妻子",
		"爷爷", "奶奶", "外公", "外婆", "姥姥", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹",
		"我一个人", "本人", "自己",
	}
	householdSituations = []string{
		"瘫", "残疾", "残废", "重病", "大病", "生病", "有病", "病了", "住院", "癌", "尿毒症", "白血病", "智力", "精神",
		"失业", "没工作", "没有工作", "下岗", "没收入", "没有收入", "收入低", "收入少", "挣不到钱", "干不了活", "干不动",
		"没人照顾", "没人管", "没人养", "不在了", "无人照顾", "去世", "走了", "死了", "过世", "离婚", "单亲", "孤儿", "无儿无女",
		"困难", "穷", "欠债", "欠了", "受灾", "着火", "车祸", "事故", "坐牢", "服刑", "上学", "念书", "读书",
		"岁", "老了", "年纪大", "岁数大", "一个人过", "独居", "种地", "打零工", "低保户", "特困",
	}
	householdAsks = []string{
		"能申请什么", "能申请啥", "可以申请什么", "可以申请啥", "能办什么", "能办啥", "能领什么", "能领啥",
		"能享受什么", "能享受啥", "有什么补助", "有啥补助", "有什么补贴", "有啥补贴", "有什么政策", "有啥政策",
		"有什么救助", "有啥救助", "有什么帮助", "有啥帮助", "有没有补助", "有没有补贴", "有没有救助", "有没有政策",
		"能不能吃低保", "能吃低保", "能不能办低保", "能办低保", "能不能申请", "能申请吗", "可以申请吗", "能不能享受",
		"够不够", "符合", "算不算", "能不能领", "能领吗", "政府能", "管不管", "给不给", "能不能给", "政府给", "国家给", "咋办", "怎么办",
	}
)

// describesHousehold reports whether the question tells of a household's
// situation and asks what it may get.
func describesHousehold(q string) bool {
	return containsAny(q, householdPeople) && containsAny(q, householdSituations) && containsAny(q, householdAsks)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
