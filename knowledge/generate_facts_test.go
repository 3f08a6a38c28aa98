package knowledge_test

import (
	"context"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge"
)

// A hostile model quotes a passage and adds a false clause, or negates the
// quote. The sentences share nearly every word with the passage and pass a
// wording check; their figures and negations do not, so the passage's own
// sentence is what the resident reads.
func TestGeneratedFactsMustBeThePassages(t *testing.T) {
	t.Parallel()
	var quote, added, negated string
	svc, _ := llmService(t, func(req openai.ChatCompletionRequest) (string, error) {
		src := sources(req)
		quote = firstSentence(src["1"])
		body := strings.TrimSuffix(quote, "。")
		added = body + "，但要先交200元手续费"
		// Negate the quote where the passage has no such negation.
		rs := []rune(body)
		for i := 4; i < len(rs); i++ {
			if !strings.Contains(src["1"], "不"+string(rs[i])) && rs[i] != '，' {
				negated = string(rs[:i]) + "不" + string(rs[i:])
				break
			}
		}
		return added + "。[1]" + negated + "。[1]", nil
	})
	ans, err := svc.Ask(context.Background(), "珙县低保渐退期一般给多长时间？", knowledge.AskOptions{})
	require.NoError(t, err)
	require.True(t, ans.Answered)
	require.NotEmpty(t, negated)
	require.NotContains(t, ans.Text, "200")
	require.NotContains(t, ans.Text, "手续费")
	require.NotContains(t, ans.Text, negated)
	require.Contains(t, ans.Text, strings.TrimSuffix(quote, "。"), "the passage's own sentence stands in")
	require.Contains(t, ans.Text, "[1]")
}
