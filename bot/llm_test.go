package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/internal/llm"
	"github.com/safetynet/safetynet/internal/llmtest"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/bge/bgetest"
)

// TestGeneratedAnswerIsSafe: with a model configured, the question reaches
// it without personal data, and a link the model invents (as a planted
// instruction might ask) never reaches the resident.
func TestGeneratedAnswerIsSafe(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(llmtest.WithChatFunc(func(req openai.ChatCompletionRequest) (string, error) {
		return "贵州2020年农村低保标准是每年4500元 [1]。详情请看 http://evil.example/phish 办理。", nil
	}))
	t.Cleanup(srv.Close)
	f := newFixture(t)
	gen := llm.New(llm.Config{BaseURL: srv.BaseURL(), APIKey: srv.Key(), ChatModel: "test-chat"})
	kb := knowledge.New(f.pool, bgetest.New(t), knowledge.Options{Hotline: "12345", Generator: gen})
	cfg := f.cfg
	cfg.Answerer = kb
	eng, err := bot.New(cfg)
	require.NoError(t, err)

	res, err := eng.Handle(context.Background(), text(40, "我电话13812345678，贵州2020年农村低保标准是多少？"))
	require.NoError(t, err)
	reply := res.Replies[0].Text
	require.Contains(t, reply, "4500")
	require.NotContains(t, reply, "evil.example")
	require.Contains(t, reply, "来源：")
	for _, sent := range srv.Texts() {
		require.NotContains(t, sent, "13812345678", "no phone number reaches the model")
	}
	require.NotEmpty(t, srv.Requests(), "the model was asked")
	require.False(t, strings.Contains(reply, "系统提示："), "the system prompt is not revealed")
}
