package knowledge_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/llmtest"
	"github.com/safetynet/safetynet/knowledge"
)

// promptKind tells the knowledge service's three calls apart by their
// system prompt: "rewrite", "rerank" or "answer".
func promptKind(req openai.ChatCompletionRequest) string {
	for _, m := range req.Messages {
		if m.Role != openai.ChatMessageRoleSystem {
			continue
		}
		switch {
		case strings.Contains(m.Content, "search engine"):
			return "rewrite"
		case strings.Contains(m.Content, "You rank passages"):
			return "rerank"
		}
	}
	return "answer"
}

// answersOnly scripts the answer call with f and leaves the question and
// the ranking as search made them (an empty rewrite, no ranking).
func answersOnly(f llmtest.ChatFunc) llmtest.ChatFunc {
	return func(req openai.ChatCompletionRequest) (string, error) {
		switch promptKind(req) {
		case "rewrite":
			return "", nil
		case "rerank":
			return "0", nil
		}
		return f(req)
	}
}

var reRerankSource = regexp.MustCompile(`<source n="(\d+)">([^<]*)</source>`)

// reversedRanking answers a rerank request with its passages in reverse
// order ("5,4,3,2,1"), and returns their texts in the order given.
func reversedRanking(req openai.ChatCompletionRequest) (order string, texts []string) {
	var nums []string
	for _, m := range reRerankSource.FindAllStringSubmatch(req.Messages[len(req.Messages)-1].Content, -1) {
		nums = append([]string{m[1]}, nums...)
		texts = append(texts, m[2])
	}
	return strings.Join(nums, ","), texts
}

// TestRerankOrdersCitations: the model's ranking decides the order of the
// citations; a passage it ranks first is cited first.
func TestRerankOrdersCitations(t *testing.T) {
	t.Parallel()
	var ranked []string
	svc, srv := modelService(t, func(req openai.ChatCompletionRequest) (string, error) {
		switch promptKind(req) {
		case "rewrite":
			return "", nil
		case "rerank":
			// Rank last what search put first: the answer must follow.
			order, texts := reversedRanking(req)
			ranked = append(ranked, texts...)
			return order, nil
		}
		return "", nil // no generated answer: extractive
	})
	ans, err := svc.Ask(context.Background(), "低保渐退期一般给多长时间？", knowledge.AskOptions{K: 3})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.GreaterOrEqual(t, len(ranked), 5, "the model ranks more passages than are cited")
	last := ranked[len(ranked)-1]
	require.Contains(t, ans.Citations[0].Text, strings.TrimSpace(last[strings.Index(last, "：")+len("："):]),
		"the passage the model ranked first is cited first")
	kinds := map[string]int{}
	for _, r := range srv.Requests() {
		kinds[promptKind(r.Request)]++
	}
	require.Equal(t, map[string]int{"rewrite": 1, "rerank": 1, "answer": 1}, kinds)
}

// TestRewriteFindsPolicyTerms: a question in words the documents do not use
// finds the passage through the model's rewrite; when the model fails,
// the question is still answered from search alone.
func TestRewriteFindsPolicyTerms(t *testing.T) {
	t.Parallel()
	svc, srv := modelService(t, func(req openai.ChatCompletionRequest) (string, error) {
		switch promptKind(req) {
		case "rewrite":
			return "特困人员救助供养的未成年人年龄延长到多少周岁", nil
		case "rerank":
			return "0", nil
		}
		return "", nil
	})
	ans, err := svc.Ask(context.Background(), "没爹没妈的娃娃，政府养到几岁为止？", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	found := false
	for _, c := range ans.Citations[:3] {
		found = found || strings.Contains(c.Text, "18周岁")
	}
	require.True(t, found, "the rewrite's terms find the age rule: %v", ans.Citations)

	srv.FailNext(10, 500, "model down")
	ans, err = svc.Ask(context.Background(), "低保渐退期一般给多长时间？", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered, "search alone answers when the model fails")
	require.NotEmpty(t, ans.Citations)
}

// TestRerankKeepsThePlaceAsked: the model's ranking orders the passages
// that apply to the place asked, but does not put another province's
// before them.
func TestRerankKeepsThePlaceAsked(t *testing.T) {
	t.Parallel()
	reversed := 0
	svc, _ := modelService(t, func(req openai.ChatCompletionRequest) (string, error) {
		switch promptKind(req) {
		case "rewrite":
			return "", nil
		case "rerank":
			// Rank first what search put last.
			order, texts := reversedRanking(req)
			reversed = len(texts)
			return order, nil
		}
		return "", nil
	})
	ans, err := svc.Ask(context.Background(), "珙县低保渐退期多长时间", knowledge.AskOptions{K: 20})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.Greater(t, reversed, 5)
	seenElsewhere := false
	for _, c := range ans.Citations {
		if c.Doc == "000_af371565f628b411.txt" || c.Doc == "004_f3d72d4f8696011b.txt" || c.Doc == "002_7906d49b427e11db.txt" {
			seenElsewhere = true
			continue
		}
		require.False(t, seenElsewhere, "a passage of another province cited before one that applies: %v", ans.Citations)
	}
	require.True(t, seenElsewhere, "the test wants other provinces' passages among the citations")
}
