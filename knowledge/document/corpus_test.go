package document

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
)

// corpusDir is the shared policy corpus (../shared/corpus beside the module).
func corpusDir(t testing.TB) string { t.Helper(); return fixtures.Corpus(t) }

type parsed struct {
	doc     Document
	raw     []byte
	cleaned string
}

func loadCorpus(t *testing.T) map[string]parsed {
	t.Helper()
	dir := corpusDir(t)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]parsed{}
	for _, e := range entries {
		if e.IsDir() || !Supported(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		doc, err := Load(path)
		require.NoError(t, err, "parse %s", e.Name())
		out[e.Name()] = parsed{doc: doc, raw: raw, cleaned: Clean(decodeText(raw))}
	}
	for _, name := range []string{"000_af371565f628b411.txt", "001_5a044e6a7ae10426.txt", "002_7906d49b427e11db.txt", "003_fbe516fa33e86af9.txt", "004_f3d72d4f8696011b.txt"} {
		require.Contains(t, out, name, "corpus file %s missing from %s", name, dir)
	}
	return out
}

// squash removes all whitespace, so that comparisons ignore line breaks the
// splitter adds or removes.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestCorpusHasNoNoise(t *testing.T) {
	t.Parallel()
	noise := []string{
		"体球网", "客服热线", "0755-8882", "扫一扫", "手机端打开", "淘文阁", "资源得分", "由会员分享", "珍藏版",
		"当前位置", "首页", "浏览量", "字体", "打印", "Admin", "发表", "仅供参考", "来源于网络",
		"关于我们", "劳务派遣", "配套讲稿", "特殊限制", "关 键 词", "国旗、国徽", "限制150内", "score_1.gif",
		"图片", "文章属性", "【制定机关】", "【效力等级】",
		// headlines of the list appended to 001
		"区委书记王浩一线督导北田街办河道清四乱工作", "阎良甜瓜走进北京电视台", "反电诈阎良警方在行动",
		"开学第一天阎良公安护平安", "坚守岗位践承诺共筑疫情防控网", "荊山文学大讲堂在武屯中学开讲",
		"临潼区召开疫情防控工作视频调度会", "西安中民正式接管阎良区三供一业天然气运维工作",
	}
	for name, p := range loadCorpus(t) {
		for _, c := range p.doc.Chunks {
			for _, w := range noise {
				require.NotContains(t, c.Text, w, "%s chunk %d", name, c.Ord)
				require.NotContains(t, c.Heading, w, "%s chunk %d heading", name, c.Ord)
			}
		}
		for _, w := range noise {
			require.NotContains(t, p.doc.Title, w, name)
		}
	}
}

func TestCorpusKeepsPolicyPhrases(t *testing.T) {
	t.Parallel()
	phrases := map[string][]string{
		"000_af371565f628b411.txt": {
			"全面落实党中央、国务院关于实施乡村振兴战略", "《关于实现巩固拓展民政领域脱贫攻坚成果同乡村振兴有效衔接的实施方案》",
			"调整优化农村低保“单人户”政策", "给予不少于1年的渐退期", "一门受理、协同办理", "社会救助“8+1”制度体系",
			"《青海省关于改革完善社会救助制度的实施方案》", "按当地农村低保标准的2倍确定", "先期垫付临时救助金",
			"村级互助养老服务设施提升改造", "残疾人“两项补贴”实现跨省通办", "杜绝天价彩礼", "共和撤县设市",
			"滞留三个月仍无法查明身份信息", "中央集中彩票公益金", "(根据青海省民政厅信息整理)",
		},
		"001_5a044e6a7ae10426.txt": {
			"经县政府领导同意", "切实兜牢兜住弱有所扶的基本民生保障底线", "应保尽保、应兜尽兜", "为全省社会救助综合改革提供有益经验",
			"实行312个月的渐退救助期", "可按单人户依程序纳入低保范围", "2周岁以下婴儿", "从16周岁延长至18周岁",
			"每季度至少***探访一次", "建立救助对象诚信申报承诺制度", "3000元以下临时救助的确认权委托下放至乡镇政府",
			"本方案自2020年5月1日起执行", "强化子女赡养父母的法律意识", "今年将在巡场镇开展购买服务试点工作",
		},
		"002_7906d49b427e11db.txt": {
			"特制定刚察县“十四五”(2021年-2025年)民政事业发展规划", "以民为本,保障基本", "从16周岁延长18周岁",
			"持有居住证人员在居住地申办社会救助", "长期在城市居住的农(牧)民按城镇居民予以救助", "符合条件及时纳入救助范围",
			"幸福食堂", "以减免或补贴方式提供遗体接运", "婚姻登记“省内通办”", "流浪气讨人员救助管理办法",
			"编写城乡低保宣传手册", "推动建立未成年人保护工作领导协调机制",
		},
		"003_fbe516fa33e86af9.txt": {
			"坚决扛起“不发生规模性返贫”的政治责任", "13个部门出台低收入人口认定及救助暂行办法",
			"全省95个县将社会救助审核确认权限委托下放至乡镇(街道)", "现监测困难群众271万人",
			"乡村振兴部门监测的易返贫致贫人口21万", "配备1.8万名社会救助协理员", "年均实施农村特殊困难老年人家庭适老化改造5000户",
			"将230万低收入人口纳入动态监测", "集中供养率达59.4%", "xx市钢城区“幸福驿站”等分散供养特困人员",
			"城乡低保标准之比从2019年的1.331缩小到目前的1.251", "农村低保标准占城市低保标准75%的目标",
			"预警线索6.6万余条", "有效破解财产和隐性收入核查难问题", "一是落实“民政兜”。对排查发",
		},
		"004_f3d72d4f8696011b.txt": {
			"请遵照执行", "确保“小康路上,不落一村、不漏一户、不少一人”", "简称“6+1”行动", "农村低保平均标准达3908元/年",
			"农村低保平均标准达4220元/年", "农村低保标准实现全省统一并达4500元/年", "推行低保审核审批无纸化改革",
			"增设就业成本、大病刚性支出等抵扣项目", "特困人员基本生活标准达当地城市低保标准1.3倍以上",
			"确保在灾害发生后12个小时内受灾人员生活得到有效救助", "杜绝携带未成年人外出流浪乞讨现象",
			"村级儿童之家功能覆盖60%行政村", "不留死角,不留盲点",
		},
	}
	corpus := loadCorpus(t)
	for name, want := range phrases {
		doc := corpus[name].doc
		for _, phrase := range want {
			found := false
			for _, c := range doc.Chunks {
				if strings.Contains(squash(c.Text), squash(phrase)) {
					found = true
					break
				}
			}
			require.True(t, found, "%s: no chunk contains %q", name, phrase)
		}
	}
}

// Every sentence of the cleaned text is in some chunk, whole; and every
// sentence of every chunk comes from the cleaned text (nothing invented).
func TestCorpusChunksCoverCleanedText(t *testing.T) {
	t.Parallel()
	for name, p := range loadCorpus(t) {
		require.Equal(t, p.cleaned, Clean(p.cleaned), "%s: cleaning twice changes the text", name)
		var texts []string
		for _, c := range p.doc.Chunks {
			texts = append(texts, squash(c.Text))
		}
		for _, s := range sentences(p.cleaned) {
			s = squash(s)
			if utf8.RuneCountInString(s) < 2 {
				continue
			}
			found := false
			for _, txt := range texts {
				if strings.Contains(txt, s) {
					found = true
					break
				}
			}
			require.True(t, found, "%s: sentence not in any chunk: %q", name, s)
		}
		all := squash(p.cleaned)
		for _, c := range p.doc.Chunks {
			for _, s := range sentences(c.Text) {
				require.Contains(t, all, squash(s), "%s chunk %d has text not in the document", name, c.Ord)
			}
		}
	}
}

func TestCorpusSections(t *testing.T) {
	t.Parallel()
	cases := []struct {
		doc, phrase, section, heading string
	}{
		{"001_5a044e6a7ae10426.txt", "渐退救助期", "二、(一) 1.", "全面落实低保渐退救助制度"},
		{"001_5a044e6a7ae10426.txt", "从16周岁延长至18周岁", "二、(一) 4.", "着力提升特困供养服务水平"},
		{"001_5a044e6a7ae10426.txt", "不再按当地最低工资标准计算其收入", "二、(一) 3. 一是", "细化家庭收入核算范围和计算方法"},
		{"001_5a044e6a7ae10426.txt", "诚信申报承诺制度", "二、(三) 11.", "健全诚信救助机制"},
		{"001_5a044e6a7ae10426.txt", "3000元以下临时救助", "三、(一)", "实施推进阶段"},
		{"001_5a044e6a7ae10426.txt", "以***新时代中国特色社会主义思想为指导", "一、(一)", "总体要求 > 指导思想"},
		{"000_af371565f628b411.txt", "不少于1年的渐退期", "一、", "持续巩固兜底脱贫成果"},
		{"000_af371565f628b411.txt", "登记户口", "十一、", "用心关爱流浪乞讨人员"},
		{"002_7906d49b427e11db.txt", "持有居住证人员在居住地申办社会救助", "三、(一) 3.", "改革完善社会救助制度"},
		{"002_7906d49b427e11db.txt", "幸福食堂", "三、(三) 2.", "完善居家养老支持措施"},
		{"002_7906d49b427e11db.txt", "编写城乡低保宣传手册", "四、(三)", "主要措施"},
		{"003_fbe516fa33e86af9.txt", "现监测困难群众271万人", "发言一 一是", "加强监测"},
		{"003_fbe516fa33e86af9.txt", "1.251", "发言二", "发言二"},
		{"003_fbe516fa33e86af9.txt", "6.6万余条", "发言三 一是", "科学比对筛查"},
		{"004_f3d72d4f8696011b.txt", "4500元/年", "三、(一)", "重点任务 > 社会救助兜底脱贫攻坚行动"},
		{"004_f3d72d4f8696011b.txt", "1.3倍以上", "三、(一) 2. 二是", "提高特困人员救助供养水平"},
		{"004_f3d72d4f8696011b.txt", "增设就业成本", "三、(一) 2. 一是", "保障水平提升计划 > 提高农村低保保障水平"},
		{"004_f3d72d4f8696011b.txt", "是实现脱贫攻坚的重要内容", "一、", "总体目标"},
		{"004_f3d72d4f8696011b.txt", "牢固树立以人民为中心", "二、", "总体要求"},
		{"004_f3d72d4f8696011b.txt", "村级儿童之家", "三、(二)", "精准关爱服务留守儿童困境儿童助力脱贫攻坚行动"},
	}
	corpus := loadCorpus(t)
	for _, tc := range cases {
		var hits []Chunk
		for _, c := range corpus[tc.doc].doc.Chunks {
			if strings.Contains(c.Text, tc.phrase) {
				hits = append(hits, c)
			}
		}
		require.NotEmpty(t, hits, "%s: %q not found", tc.doc, tc.phrase)
		ok := false
		for _, c := range hits {
			if strings.HasPrefix(c.Section, tc.section) && strings.Contains(c.Heading, tc.heading) {
				ok = true
			}
		}
		require.True(t, ok, "%s: %q in sections %v, want prefix %q heading with %q", tc.doc, tc.phrase, sectionsOf(hits), tc.section, tc.heading)
	}
}

func sectionsOf(cs []Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Section+" {"+c.Heading+"}")
	}
	return out
}

func TestCorpusChunkSizes(t *testing.T) {
	t.Parallel()
	for name, p := range loadCorpus(t) {
		require.GreaterOrEqual(t, len(p.doc.Chunks), 5, name)
		total := 0
		for i, c := range p.doc.Chunks {
			n := utf8.RuneCountInString(c.Text)
			total += n
			require.Equal(t, i, c.Ord, name)
			require.LessOrEqual(t, n, hardMax, "%s chunk %d too long", name, c.Ord)
			require.GreaterOrEqual(t, n, tinyMax, "%s chunk %d is a fragment: %q", name, c.Ord, c.Text)
			require.Equal(t, strings.TrimSpace(c.Text), c.Text, "%s chunk %d untrimmed", name, c.Ord)
		}
		mean := total / len(p.doc.Chunks)
		require.True(t, mean >= 150 && mean <= targetMax, "%s: mean chunk length %d", name, mean)
	}
}

func TestCorpusMetadata(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, title, issuer, date string }{
		{"000_af371565f628b411.txt", "青海民政十二项具体措施推动实现巩固拓展民政领域脱贫攻坚成果同乡村振兴有效衔接", "青海省民政厅", "2021-04-21"},
		{"001_5a044e6a7ae10426.txt", "珙县后扶贫时代基本生活困难群众兜底保障试点工作方案", "珙县人民政府办公室", "2020-06-17"},
		{"002_7906d49b427e11db.txt", "刚察县民政局“十四五”发展的主要思路", "刚察县民政局", "2023-03-04"},
		{"003_fbe516fa33e86af9.txt", "2022年民政系统巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作推进会发言合集", "", ""},
		{"004_f3d72d4f8696011b.txt", "贵州省民政兜底脱贫攻坚三年行动计划(2018—2020年)", "贵州省民政厅 贵州省扶贫办", "2018-03-22"},
	}
	corpus := loadCorpus(t)
	for _, tc := range cases {
		p := corpus[tc.name]
		require.Equal(t, tc.name, p.doc.Name)
		require.Equal(t, tc.title, p.doc.Title, tc.name)
		require.Equal(t, tc.issuer, p.doc.Issuer, tc.name)
		require.Equal(t, tc.date, p.doc.Date, tc.name)
		require.Len(t, p.doc.Hash, 64, tc.name)
	}
}

func TestCorpusDeterministic(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	for name, p := range loadCorpus(t) {
		again, err := Parse(name, p.raw)
		require.NoError(t, err)
		require.Equal(t, p.doc, again, name)
		_ = dir
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	dir := corpusDir(b)
	entries, err := os.ReadDir(dir)
	require.NoError(b, err)
	type file struct {
		name string
		raw  []byte
	}
	var files []file
	size := 0
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(b, err)
		files = append(files, file{e.Name(), raw})
		size += len(raw)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			if _, err := Parse(f.name, f.raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}
