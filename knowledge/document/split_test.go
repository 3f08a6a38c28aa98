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

func TestSplitQuestionsAndAnswers(t *testing.T) {
	t.Parallel()
	text := "低保政策问答\n一、低保申请\n" +
		"问：家里有人在外地打工，收入怎么算？\n答：按实际收入计算，但外出务工的交通、吃饭等必要开支可以按规定扣除，扣除以后再和当地低保标准比较。\n" +
		"问：收入超过低保标准了，低保会马上停吗？\n答：不会马上停。收入超过标准但不到两倍的，一般会给一段渐退期，期满后再退出，让家庭有个缓冲。\n"
	doc, err := Parse("qa.txt", []byte(text))
	require.NoError(t, err)
	require.Equal(t, "一、问1", sectionOf(t, doc, "交通、吃饭"))
	require.Equal(t, "低保申请 > 家里有人在外地打工，收入怎么算？", headingOfChunk(t, doc, "交通、吃饭"))
	require.Equal(t, "一、问2", sectionOf(t, doc, "渐退期"))
}

func TestMetadataChineseNumeralDate(t *testing.T) {
	t.Parallel()
	text := "某县民政局关于印发《某县临时救助实施细则》的通知\n各乡镇：现将细则印发给你们，请认真贯彻执行，遇到问题及时报告县民政局。\n某县民政局\n二〇二〇年六月十七日\n"
	doc, err := Parse("notice.txt", []byte(text))
	require.NoError(t, err)
	require.Equal(t, "某县临时救助实施细则", doc.Title)
	require.Equal(t, "某县民政局", doc.Issuer)
	require.Equal(t, "2020-06-17", doc.Date)
}
