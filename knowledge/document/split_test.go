package document

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCNNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{
		"一": 1, "九": 9, "十": 10, "十一": 11, "二十": 20, "二十三": 23, "九十九": 99,
		"一百": 100, "一百零五": 105, "一百一十": 110, "两百二十": 220, "百": 0, "一二": 0, "x": 0, "": 0,
	} {
		require.Equal(t, want, cnNumber(s), s)
	}
}

func TestSplitRegulation(t *testing.T) {
	t.Parallel()
	text := "某县最低生活保障办法\n" +
		"第一章 总则\n" +
		"第一条 为了规范最低生活保障工作，保障困难群众基本生活，根据有关规定，结合本县实际，制定本办法。\n" +
		"第二条 本办法适用于本县行政区域内最低生活保障的申请、审核确认和管理工作。县民政局负责全县低保工作。\n" +
		"第二章 保障对象\n" +
		"第三条 共同生活的家庭成员人均收入低于当地低保标准，且家庭财产状况符合规定的，可以申请低保。有下列情形之一的，不得纳入：\n" +
		"（一）家庭成员拥有两套以上住房的；\n（二）家庭成员拥有机动车辆的，但残疾人代步车除外；\n" +
		"第四条 持有本县居住证的非本县户籍人员，可以在居住地申请低保。申请时应当签署诚信申报承诺书，如实申报家庭收入和财产，不得隐瞒或者虚报，否则将被追回已领取的低保金。\n"
	doc, err := Parse("rules.txt", []byte(text))
	require.NoError(t, err)
	requireSection(t, doc, "结合本县实际", "第一章 第一条")
	requireSection(t, doc, "机动车辆", "第二章 第三条 (二)")
	requireSection(t, doc, "居住证", "第二章 第四条")
	require.Contains(t, headingOfChunk(t, doc, "居住证"), "保障对象")
}
