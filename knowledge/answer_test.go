package knowledge_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

var reQuoted = regexp.MustCompile(`^(.+) \[(\d+)\]$`)

// TestExtractiveSentencesTraceable: without a model, every sentence of an
// answer is a verbatim piece of the citation it names.
func TestExtractiveSentencesTraceable(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	for _, q := range []string{
		"我出去打零工，来回车费能不能从收入里扣掉？",
		"贵州2020年农村低保标准是多少？",
		"家里老人瘫痪了，没有人照顾，政府能派人上门吗？",
		"低保的钱要是不该领却领了，会被追回吗？",
	} {
		ans, err := svc.Ask(context.Background(), q, knowledge.AskOptions{})
		require.NoError(t, err)
		require.True(t, ans.Answered, q)
		require.Len(t, ans.Citations, knowledge.DefaultK)
		quoted := 0
		for _, line := range strings.Split(ans.Text, "\n") {
			m := reQuoted.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[2])
			require.GreaterOrEqual(t, n, 1)
			require.LessOrEqual(t, n, len(ans.Citations))
			require.Contains(t, ans.Citations[n-1].Text, m[1], "sentence not in citation [%d]", n)
			quoted++
		}
		require.Positive(t, quoted, "no quoted sentence in %q", ans.Text)
		for i := 1; i < len(ans.Citations); i++ {
			require.GreaterOrEqual(t, ans.Citations[i-1].Score, ans.Citations[i].Score, "citations best first")
		}
	}
}

func TestNotCoveredGivesHotline(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{Hotline: "0871-12345"})
	for _, q := range []string{"怎么办理护照？", "明天北京天气怎么样？", "你好"} {
		ans, err := svc.Ask(context.Background(), q, knowledge.AskOptions{K: 3})
		require.NoError(t, err)
		require.False(t, ans.Answered, q)
		require.Contains(t, ans.Text, "0871-12345")
		require.Empty(t, ans.Citations)
	}
	_, err := svc.Ask(context.Background(), "   ", knowledge.AskOptions{})
	require.ErrorIs(t, err, knowledge.ErrEmptyQuestion)
}

func TestAskKAndRegion(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	ans, err := svc.Ask(context.Background(), "农村低保标准是多少？", knowledge.AskOptions{K: 2})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.Len(t, ans.Citations, 2)

	ans, err = svc.Ask(context.Background(), "农村低保标准是多少？", knowledge.AskOptions{K: 3, Region: "guizhou-2020"})
	require.NoError(t, err)
	require.Equal(t, "004_f3d72d4f8696011b.txt", ans.Citations[0].Doc, "the region's document first")
}

// A quoted figure the capture probably damaged ("312个月", the dash of
// 3—12 lost in the 珙县 plan) stays verbatim, with a reminder beside it.
func TestAnswerPointsOutALostDash(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	ans, err := svc.Ask(context.Background(), "收入超过低保标准了还能继续领几个月低保", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	lines := strings.Split(ans.Text, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "实行312个月的渐退救助期。 [") })
	require.GreaterOrEqual(t, i, 0, "the 珙县 rule is quoted as it stands: %q", ans.Text)
	require.Equal(t, "（提醒：原文这里写的是“312个月”，很可能是“3—12个月”漏了连接号，具体以当地民政部门的答复为准。）", lines[i+1])
	require.Equal(t, 1, strings.Count(ans.Text, "提醒："), "only that figure is doubted")
}

// A quote from a document published with its figures masked ("xx万名")
// says once what the xx is; an answer without one says nothing of it.
func TestAnswerExplainsMaskedFigures(t *testing.T) {
	t.Parallel()
	svc, _ := corpusService(t, knowledge.Options{})
	const note = "（原文里的“xx”是文件公开时隐去的数字或名称，不是漏字。）"
	ans, err := svc.Ask(context.Background(), "孤儿看大病有没有保险", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.Contains(t, ans.Text, "为xx万名孤困儿童购买大病保险。 [")
	require.Equal(t, 1, strings.Count(ans.Text, note), ans.Text)

	ans, err = svc.Ask(context.Background(), "收入超过低保标准了还能继续领几个月低保", knowledge.AskOptions{})
	require.NoError(t, err)
	require.NotContains(t, ans.Text, "xx")
	require.NotContains(t, ans.Text, note)
}
