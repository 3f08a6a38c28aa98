package document

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const htmlPage = `<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta name="PubDate" content="2021-04-21 09:30">
<title>某县最低生活保障实施办法_某县民政局</title>
<style>.x{color:red}</style>
<script>var nav = "首页 > 新闻中心"; if (a < b) {}</script>
</head><body>
<div class="nav-bar"><a href="/">首页</a> <a href="/news">新闻中心</a></div>
<div class="breadcrumb">当前位置: 首页 &gt; 政策文件</div>
<nav><ul><li>机构概况</li><li>政务公开</li></ul></nav>
<div class="content">
<h1>某县最低生活保障实施办法</h1>
<p>为做好最低生活保障工作，制定本办法。</p>
<p>一、保障对象</p>
<p>（一）户籍条件。持有本县户籍或居住证的家庭可以申请。</p>
<p>（二）收入条件。家庭人均收入低于当地低保标准，且财产符合规定的，纳入保障范围。<br>就业产生的必要成本可以扣减。</p>
<p>二、申请程序</p>
<p>申请人向乡镇人民政府提出书面申请&nbsp;，如实申报家庭收入和财产，并签署诚信申报承诺书。</p>
<table><tr><td>城市标准</td><td>每人每月700元</td></tr></table>
</div>
<footer>版权所有 某县民政局 ICP备12345号</footer>
<div id="share">分享到微信</div>
</body></html>`

func TestParseHTML(t *testing.T) {
	t.Parallel()
	doc, err := Parse("policy.html", []byte(htmlPage))
	require.NoError(t, err)
	require.Equal(t, "policy.html", doc.Name)
	require.Equal(t, "某县最低生活保障实施办法", doc.Title)
	require.Equal(t, "2021-04-21", doc.Date)
	all := joinChunks(doc)
	for _, w := range []string{"首页", "新闻中心", "color:red", "var nav", "机构概况", "版权所有", "分享到", "当前位置"} {
		require.NotContains(t, all, w)
	}
	for _, w := range []string{"持有本县户籍或居住证的家庭可以申请", "就业产生的必要成本可以扣减", "签署诚信申报承诺书", "每人每月700元"} {
		require.Contains(t, squash(all), w)
	}
	requireSection(t, doc, "必要成本", "一、(二)")
	requireSection(t, doc, "诚信申报", "二、")
}

func TestParseHTMLBroken(t *testing.T) {
	t.Parallel()
	// unclosed tags, stray "<", an entity the decoder does not know
	page := `<html><body><p>一、基本原则<p>坚持应保尽保，&foo; 若 a < b 则继续。<div><p>二、工作要求<p>各乡镇要按时完成低保年度核查工作。`
	doc, err := Parse("broken.htm", []byte(page))
	require.NoError(t, err)
	require.Contains(t, joinChunks(doc), "各乡镇要按时完成低保年度核查工作")
}

func TestParseHTMLUnterminated(t *testing.T) {
	t.Parallel()
	// the decoder gives up at the "<" in an attribute; the rest is read as text
	page := `<html><body><p>一、基本原则</p><p>坚持应保尽保，做到应救尽救。</p><p data-x="a<b">二、工作要求</p><p>各乡镇要按时完成低保年度核查工作。</p>`
	doc, err := Parse("cut.html", []byte(page))
	require.NoError(t, err)
	all := joinChunks(doc)
	require.Contains(t, all, "坚持应保尽保")
	require.Contains(t, all, "各乡镇要按时完成低保年度核查工作")
	require.NotContains(t, all, "<p>")
}

func TestParseTextUTF16(t *testing.T) {
	t.Parallel()
	text := "一、临时救助\n遭遇突发事件、意外伤害或重大疾病，基本生活暂时出现严重困难的家庭，可以向乡镇申请临时救助。"
	enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	raw, err := enc.Bytes([]byte(text))
	require.NoError(t, err)
	doc, err := Parse("utf16.txt", raw)
	require.NoError(t, err)
	require.Equal(t, "一、", sectionOf(t, doc, "可以向乡镇申请临时救助"))
}

func TestParseHTMLGBK(t *testing.T) {
	t.Parallel()
	page := `<html><head><meta charset="gbk"><title>临时救助办法</title></head><body><p>一、救助对象</p><p>因突发事件导致基本生活暂时出现严重困难的家庭，可以申请临时救助。</p></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(page)
	require.NoError(t, err)
	doc, err := Parse("gbk.html", []byte(gbk))
	require.NoError(t, err)
	require.Equal(t, "临时救助办法", doc.Title)
	require.Contains(t, joinChunks(doc), "可以申请临时救助")
}

// makeDocx builds a minimal Word file in memory.
func makeDocx(t *testing.T, title string, paras []string) []byte {
	t.Helper()
	var body strings.Builder
	body.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paras {
		body.WriteString(`<w:p><w:pPr><w:jc w:val="both"/></w:pPr>`)
		// split each paragraph over two runs, as Word does
		rs := []rune(p)
		half := len(rs) / 2
		for _, part := range []string{string(rs[:half]), string(rs[half:])} {
			body.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">`)
			xmlEscape(&body, part)
			body.WriteString(`</w:t></w:r>`)
		}
		body.WriteString(`</w:p>`)
	}
	body.WriteString(`<w:sectPr/></w:body></w:document>`)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, content string) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(content))
		require.NoError(t, err)
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("word/document.xml", body.String())
	if title != "" {
		add("docProps/core.xml", `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>`+title+`</dc:title></cp:coreProperties>`)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func xmlEscape(b *strings.Builder, s string) {
	b.WriteString(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s))
}

func TestParseDocx(t *testing.T) {
	t.Parallel()
	raw := makeDocx(t, "特困人员救助供养办法", []string{
		"某市民政局关于印发《特困人员救助供养办法》的通知",
		"各区县民政局：现将办法印发给你们，请认真执行。",
		"某市民政局",
		"2022年3月1日",
		"一、供养对象",
		"（一）无劳动能力、无生活来源、无法定赡养抚养扶养义务人的老年人、残疾人和未满18周岁的未成年人。",
		"（二）特困人员中的未成年人，满18周岁后仍在接受义务教育或在校接受全日制教育的，可以继续享有救助供养待遇。",
		"二、供养内容",
		"1.提供基本生活条件。2.对生活不能自理的给予照料。3.提供疾病治疗。4.办理丧葬事宜。",
	})
	doc, err := Parse("tekun.docx", raw)
	require.NoError(t, err)
	require.Equal(t, "特困人员救助供养办法", doc.Title)
	require.Equal(t, "某市民政局", doc.Issuer)
	require.Equal(t, "2022-03-01", doc.Date)
	requireSection(t, doc, "可以继续享有救助供养待遇", "一、(二)")
	require.True(t, strings.HasPrefix(sectionOf(t, doc, "办理丧葬事宜"), "二、"))
	require.Contains(t, joinChunks(doc), "未满18周岁的未成年人")

	// Load reads the same bytes from disk and names the file by its base name.
	path := filepath.Join(t.TempDir(), "tekun.docx")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	loaded, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, doc, loaded)
}

func TestParseErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		raw  []byte
		is   error
	}{
		{"report.pdf", []byte("%PDF-1.4"), ErrUnsupported},
		{"noext", []byte("一、总则"), ErrUnsupported},
		{"broken.docx", []byte("not a zip"), nil},
		{"empty.docx", emptyZip(t), nil},
		{"blank.txt", []byte("  \n\n \t"), ErrNoText},
		{"only-noise.txt", []byte("客服热线:0755-1234\n扫一扫在手机端打开当前页\n"), ErrNoText},
	}
	for _, tc := range cases {
		_, err := Parse(tc.name, tc.raw)
		require.Error(t, err, tc.name)
		require.Contains(t, err.Error(), tc.name)
		if tc.is != nil {
			require.True(t, errors.Is(err, tc.is), "%s: %v", tc.name, err)
		}
	}
	_, err := Load(filepath.Join(t.TempDir(), "missing.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Contains(t, err.Error(), "missing.txt")
}

func emptyZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	_, err := zw.Create("word/styles.xml")
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

const mdNote = `---
title: 临时救助怎么申请（要点）
source: 001_5a044e6a7ae10426.txt
issuer: 珙县人民政府办公室
date: 2020-06-17
---

# 临时救助怎么申请

临时救助是为突然遇到困难的家庭准备的**应急帮助**。

## 一、谁可以申请

- 因火灾、车祸、重病等突发情况，家里一时过不下去的。
- 已经享受低保但仍有特殊困难的。

## 二、到哪里申请

### （一）乡镇审批

从2020年5月1日起，3000元以下的临时救助由乡镇政府直接确认，不用再等县里审批，详见[办事指南](https://example.org/guide)。

## 办理时要带的材料

身份证、户口簿，以及能说明困难情况的材料。
`

func TestParseMarkdown(t *testing.T) {
	t.Parallel()
	doc, err := Parse("linshi.md", []byte(mdNote))
	require.NoError(t, err)
	require.Equal(t, "临时救助怎么申请（要点）", doc.Title)
	require.Equal(t, "珙县人民政府办公室", doc.Issuer)
	require.Equal(t, "2020-06-17", doc.Date)
	require.Equal(t, "001_5a044e6a7ae10426.txt", doc.Source)
	all := joinChunks(doc)
	require.NotContains(t, all, "**")
	require.NotContains(t, all, "https://")
	require.NotContains(t, all, "---")
	require.NotContains(t, all, "source:")
	require.Contains(t, all, "详见办事指南")
	requireSection(t, doc, "3000元以下", "二、(一)")
	require.Contains(t, headingOfChunk(t, doc, "3000元以下"), "到哪里申请 > 乡镇审批")
	requireSection(t, doc, "户口簿", "办理时要带的材料")
}

func TestParseTextGB18030(t *testing.T) {
	t.Parallel()
	text := "一、低保标准\n2020年农村低保标准全省统一为每人每年4500元，各地不得低于这个标准。\n二、渐退期\n家庭收入超过低保标准的，给予一定时间的渐退期，期满后再退出。"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	require.NoError(t, err)
	doc, err := Parse("gbk.txt", []byte(gbk))
	require.NoError(t, err)
	requireSection(t, doc, "4500元", "一、")
	requireSection(t, doc, "期满后再退出", "二、")
}

func joinChunks(doc Document) string {
	var b strings.Builder
	for _, c := range doc.Chunks {
		b.WriteString(c.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// requireSection accepts a packed range ("一、(一)—(二)") that starts or ends
// with the wanted section.
func requireSection(t *testing.T, doc Document, phrase, want string) {
	t.Helper()
	got := sectionOf(t, doc, phrase)
	if got == want {
		return
	}
	if i := strings.LastIndex(got, "—"); i >= 0 {
		left, right := got[:i], got[i+len("—"):]
		leaf := strings.LastIndexAny(strings.TrimSuffix(left, "、"), " 、")
		prefix := ""
		if leaf >= 0 {
			_, size := utf8.DecodeRuneInString(left[leaf:])
			prefix = strings.TrimSpace(left[:leaf+size])
			if strings.HasSuffix(left[:leaf+size], " ") {
				prefix += " "
			}
		}
		if want == left || want == prefix+right {
			return
		}
	}
	require.Failf(t, "wrong section", "%q is in %q, want %q", phrase, got, want)
}

func sectionOf(t *testing.T, doc Document, phrase string) string {
	t.Helper()
	for _, c := range doc.Chunks {
		if strings.Contains(c.Text, phrase) {
			return c.Section
		}
	}
	require.Failf(t, "phrase not found", "%q in %s: %+v", phrase, doc.Name, doc.Chunks)
	return ""
}

func headingOfChunk(t *testing.T, doc Document, phrase string) string {
	t.Helper()
	for _, c := range doc.Chunks {
		if strings.Contains(c.Text, phrase) {
			return c.Heading
		}
	}
	require.Failf(t, "phrase not found", "%q in %s", phrase, doc.Name)
	return ""
}
