package document

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestCleanSpamWords(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"known word before 总书记", "深入贯彻体球网总书记重要讲话精神。", "深入贯彻总书记重要讲话精神。"},
		{"known word in a title", "出台《体球网实现巩固拓展成果的实施方案》。", "出台《关于实现巩固拓展成果的实施方案》。"},
		{"known word after a body", "落实国务院体球网实施乡村振兴战略部署。", "落实国务院关于实施乡村振兴战略部署。"},
		{"beside 关于 already", "印发关于体球网加强低保管理的通知。", "印发关于加强低保管理的通知。"},
		{"watermark line", "体球网\n\n一、总则\n为保障困难群众基本生活，制定本办法。", "一、总则\n为保障困难群众基本生活，制定本办法。"},
		// an unlisted word found by where it sits, twice
		{"unlisted word by slot", "学习彩虹网总书记讲话。\n贯彻《彩虹网加强社会救助工作的意见》。", "学习总书记讲话。\n贯彻《关于加强社会救助工作的意见》。"},
		// real words ending in 网 stay
		{"real words", "织密织牢兜底保障安全网。推进互联网+政务服务，建设一张网。", "织密织牢兜底保障安全网。推进互联网+政务服务，建设一张网。"},
		{"an unlisted word seen once stays", "学习彩虹网总书记讲话。", "学习彩虹网总书记讲话。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Clean(tc.in))
		})
	}
}

func TestCleanNoise(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"navigation and widgets",
			"图片\n当前位置: 首页 > 新闻中心 > 正文\n时间:2021-04-21 浏览量:128 次 来源:某厅\n【字体: 打印\n一、低保标准提高到每人每年4500元。\n扫一扫在手机端打开当前页",
			"一、低保标准提高到每人每年4500元。"},
		{"hotline and posting line", "客服热线:0755-8882 8155\nAdmin - admin 于2022年03月27日发表\n乡镇人民政府:", "乡镇人民政府:"},
		{"download wrapper", "低保工作发言合集.docx\n![资源得分’ title=](/images/score_1.gif)\n《低保工作发言合集.docx》由会员分享,可在线阅读,更多相关《低保工作发言合集.docx(14页珍藏版)》请在淘文阁 - 分享文档赚钱的网站上搜索。\n一、总则。", "低保工作发言合集\n一、总则。"},
		{"disclaimer and link row", "正文一句。\n本文章内容来源于网络公开内容,仅供参考!\n关于我们 加入我们 网站地图 招聘信息", "正文一句。"},
		{"policy sentence mentioning a hotline stays",
			"群众可拨打12345服务热线反映低保办理中的问题，各地要在规定时间内答复，并公开监督电话和办理结果，接受社会监督，确保救助资金安全、规范使用。",
			"群众可拨打12345服务热线反映低保办理中的问题，各地要在规定时间内答复，并公开监督电话和办理结果，接受社会监督，确保救助资金安全、规范使用。"},
		{"layout spaces", "符合条件 及时纳入救助范围。刚察县 “十四五”(2021 年-2025 年)", "符合条件及时纳入救助范围。刚察县“十四五”(2021年-2025年)"},
		{"law database widget", "某厅关于印发低保办法的通知文章属性•【制定机关】某厅•【公布日期】2018.03.22•【时效性】现行有效•【主题分类】扶贫正文某厅关于印发低保办法的通知各市民政局:请执行。", "某厅关于印发低保办法的通知\n各市民政局:请执行。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Clean(tc.in))
		})
	}
}

func TestCleanDropsHeadlineList(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("本方案自2020年5月1日起执行。\n")
	for i, h := range []string{"区委书记调研河道工作", "某区召开安全生产会议", "某街道开展垃圾分类检查", "某局组织专题培训", "某中学举办艺术节", "某区召开招生考试报名工作会"} {
		b.WriteString("  ")
		b.WriteString(string(rune('1' + i)))
		b.WriteString(". ")
		b.WriteString(h)
		b.WriteString("\n")
	}
	require.Equal(t, "本方案自2020年5月1日起执行。", Clean(b.String()))

	// numbered policy items are not a headline list
	items := "1.全面落实低保渐退救助制度。\n2.完善单人户纳入低保政策。\n3.适度放宽低保对象认定政策。\n4.着力提升特困供养服务水平。\n5.加大临时救助政策实施力度。"
	require.Equal(t, items, Clean(items))
}

func TestCleanJoinsPages(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("各地要做好低保核查工作", 15)
	in := "1、" + long + "确保应保尽保。对象认定要精\n2、准。" + long + "动态管理要规\n3、范。" + long + "完毕。"
	want := long + "确保应保尽保。对象认定要精准。" + long + "动态管理要规范。" + long + "完毕。"
	require.Equal(t, want, Clean(in))

	// a short numbered list with finished sentences is left alone
	list := "1、申请人提出申请。\n2、乡镇入户调查。\n3、县民政局审批。"
	require.Equal(t, list, Clean(list))
}

func TestSplitSizes(t *testing.T) {
	t.Parallel()
	sentence := "对家庭人均收入超过当地低保标准的家庭，给予一定时间的渐退期，期满后经核查再退出保障范围。"
	long := "一、渐退\n" + strings.Repeat(sentence, 40) + "\n二、其他\n很短。"
	doc, err := Parse("long.txt", []byte(long))
	require.NoError(t, err)
	require.Greater(t, len(doc.Chunks), 3)
	for i, c := range doc.Chunks {
		n := utf8.RuneCountInString(c.Text)
		require.LessOrEqual(t, n, hardMax)
		if i < len(doc.Chunks)-1 {
			require.GreaterOrEqual(t, n, tinyMax, "chunk %d: %q", i, c.Text)
		}
		if i > 0 && i < len(doc.Chunks)-1 {
			// one sentence of overlap with the previous piece
			require.True(t, strings.HasPrefix(c.Text, sentence), "chunk %d starts %q", i, c.Text[:30])
		}
	}
	// a short section of its own stays whole, to be cited as itself
	require.Equal(t, Chunk{Ord: len(doc.Chunks) - 1, Section: "二、", Heading: "其他", Text: "二、其他\n很短。"}, doc.Chunks[len(doc.Chunks)-1])

	// a run-on text without any sentence end is still cut under hardMax
	runOn := strings.Repeat("低保救助帮扶", 400)
	doc, err = Parse("runon.txt", []byte(runOn))
	require.NoError(t, err)
	total := 0
	for _, c := range doc.Chunks {
		require.LessOrEqual(t, utf8.RuneCountInString(c.Text), hardMax)
		total += utf8.RuneCountInString(c.Text)
	}
	require.GreaterOrEqual(t, total, utf8.RuneCountInString(runOn))
}

func TestSplitInlineHeadings(t *testing.T) {
	t.Parallel()
	text := "一、总体目标民政兜底脱贫,是实现脱贫攻坚的重要内容和有力保障，要确保困难群众基本生活得到保障。\n" +
		"二、重点任务(一)社会救助兜底行动。围绕发挥社会救助兜底作用，实施精准兜底计划，织密织牢民生安全网，确保应保尽保。" +
		"1.精准兜底计划。一是建立重点帮扶机制，对深度贫困地区优先安排资金和项目，确保帮扶到位。二是健全特殊困难群体保障制度，对病老残弱人员实行重点救助，做到应救尽救。"
	doc, err := Parse("inline.txt", []byte(text))
	require.NoError(t, err)
	require.Equal(t, "一、", sectionOf(t, doc, "有力保障"))
	require.Equal(t, "总体目标", headingOfChunk(t, doc, "有力保障"))
	// the short intro of (一) is carried into its first subsection
	require.True(t, strings.HasPrefix(sectionOf(t, doc, "织密织牢"), "二、(一)"))
	requireSection(t, doc, "病老残弱", "二、(一) 1. 二是")
	require.Contains(t, headingOfChunk(t, doc, "病老残弱"), "重点任务 > 社会救助兜底行动 > 精准兜底计划")
}

func FuzzParse(f *testing.F) {
	f.Add(uint8(0), []byte("一、总则\n（一）适用范围。本办法适用于本县。\n1.低保。2.特困。一是申请。二是审批。"))
	f.Add(uint8(1), []byte(mdNote))
	f.Add(uint8(2), []byte(htmlPage))
	f.Add(uint8(2), []byte("<p>一、<div>(一)<p>1.<br>一是"))
	f.Add(uint8(3), []byte("PK\x03\x04garbage"))
	f.Add(uint8(0), []byte("体球网\n贯彻体球网总书记。《体球网实现》\n1、x\n2、y\n3、z"))
	f.Add(uint8(0), []byte("#\n## \n### 一、\n---\ntitle: x\n---"))
	exts := []string{".txt", ".md", ".html", ".docx"}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		_ = Clean(string(data))
		doc, err := Parse("fuzz"+exts[int(kind)%len(exts)], data)
		if err != nil {
			return
		}
		for _, c := range doc.Chunks {
			if n := utf8.RuneCountInString(c.Text); n > hardMax {
				t.Fatalf("chunk of %d runes", n)
			}
			if strings.TrimSpace(c.Text) == "" {
				t.Fatal("empty chunk")
			}
		}
	})
}
