package llmtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/llmtest"
)

func setup(t *testing.T, opts ...llmtest.Option) (*llmtest.Server, *openai.Client) {
	t.Helper()
	srv := llmtest.New(append([]llmtest.Option{llmtest.WithKey("sk-test")}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, openai.NewClientWithConfig(srv.ClientConfig())
}

func chatRequest(question string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model: llmtest.DefaultChatModel,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "只根据资料回答，并用 [n] 标注来源。\n[1] 低保标准：每人每月 800 元。"},
			{Role: openai.ChatMessageRoleUser, Content: question},
		},
	}
}

func TestChatDefaultAnswer(t *testing.T) {
	t.Parallel()
	srv, client := setup(t)
	resp, err := client.CreateChatCompletion(t.Context(), chatRequest("低保标准是多少？"))
	require.NoError(t, err)
	require.Len(t, resp.Choices, 1)
	require.Equal(t, "（测试回答）关于“低保标准是多少？”：请以资料中的规定为准[1]。", resp.Choices[0].Message.Content)
	require.Equal(t, openai.FinishReasonStop, resp.Choices[0].FinishReason)
	require.Equal(t, llmtest.DefaultChatModel, resp.Model)
	require.Positive(t, resp.Usage.TotalTokens)

	// Without a numbered source in the prompt, the default does not cite.
	req := chatRequest("你好")
	req.Messages = req.Messages[1:]
	resp, err = client.CreateChatCompletion(t.Context(), req)
	require.NoError(t, err)
	require.NotContains(t, resp.Choices[0].Message.Content, "[1]")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.False(t, reqs[0].Stream)
	require.Contains(t, reqs[0].Text(), "低保标准是多少？")
}

func TestChatFuncSeesMessages(t *testing.T) {
	t.Parallel()
	// A responder that cites every source offered, plus one it invents, so
	// a citation checker has something real and something fabricated.
	sourceRe := regexp.MustCompile(`\[(\d+)\]`)
	_, client := setup(t, llmtest.WithChatFunc(func(req openai.ChatCompletionRequest) (string, error) {
		var cites []string
		for _, m := range sourceRe.FindAllStringSubmatch(req.Messages[0].Content, -1) {
			cites = append(cites, "["+m[1]+"]")
		}
		return "答案" + strings.Join(cites, "") + "[9]", nil
	}))
	req := chatRequest("标准？")
	req.Messages[0].Content += "\n[2] 特困供养：基本生活标准不低于低保标准的 1.3 倍。"
	resp, err := client.CreateChatCompletion(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, "答案[1][2][9]", resp.Choices[0].Message.Content)
}

func TestChatStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		includeUsage bool
	}{{"plain", false}, {"with usage", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, client := setup(t, llmtest.WithStreamChunks(3, 0))
			req := chatRequest("临时救助怎么申请？")
			req.Stream = true
			if tt.includeUsage {
				req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
			}
			stream, err := client.CreateChatCompletionStream(t.Context(), req)
			require.NoError(t, err)
			defer func() { _ = stream.Close() }()

			var (
				text   strings.Builder
				deltas int
				finish openai.FinishReason
				usage  *openai.Usage
			)
			for {
				chunk, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				if chunk.Usage != nil {
					usage = chunk.Usage
				}
				for _, c := range chunk.Choices {
					if c.Delta.Content != "" {
						deltas++
						text.WriteString(c.Delta.Content)
					}
					if c.FinishReason != "" {
						finish = c.FinishReason
					}
				}
			}
			want, err := llmtest.DefaultChat(req)
			require.NoError(t, err)
			require.Equal(t, want, text.String())
			require.Greater(t, deltas, 1, "the answer arrives in pieces")
			require.Equal(t, openai.FinishReasonStop, finish)
			require.Equal(t, tt.includeUsage, usage != nil)
			require.True(t, srv.Requests()[0].Stream)
		})
	}
}

func cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot // vectors are unit length
}

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	srv, client := setup(t, llmtest.WithEmbeddingDim(64))
	ctx := t.Context()
	texts := []string{"最低生活保障申请条件", "低保申请需要什么条件", "今天天气很好"}
	resp, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: llmtest.DefaultEmbedModel})
	require.NoError(t, err)
	require.Len(t, resp.Data, 3)
	for i, d := range resp.Data {
		require.Equal(t, i, d.Index)
		require.Len(t, d.Embedding, 64)
		require.InDelta(t, 1, cosine(d.Embedding, d.Embedding), 1e-5)
		require.Equal(t, llmtest.Embed(texts[i], 64), d.Embedding)
	}
	require.Greater(t, cosine(resp.Data[0].Embedding, resp.Data[1].Embedding),
		cosine(resp.Data[0].Embedding, resp.Data[2].Embedding), "shared wording is closer")

	// The same text gives the same vector in base64 and with a requested size.
	b64, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: texts[:1], Model: llmtest.DefaultEmbedModel, EncodingFormat: openai.EmbeddingEncodingFormatBase64,
	})
	require.NoError(t, err)
	require.Equal(t, resp.Data[0].Embedding, b64.Data[0].Embedding)
	sized, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: "低保", Model: llmtest.DefaultEmbedModel, Dimensions: 8})
	require.NoError(t, err)
	require.Len(t, sized.Data[0].Embedding, 8)

	require.Equal(t, append(append([]string(nil), texts...), texts[0], "低保"), srv.Texts())
	require.Equal(t, 3, srv.Calls()["embeddings"])
}

func TestModels(t *testing.T) {
	t.Parallel()
	_, client := setup(t, llmtest.WithModels("qwen-plus", "text-embedding-v3"))
	list, err := client.ListModels(t.Context())
	require.NoError(t, err)
	var ids []string
	for _, m := range list.Models {
		ids = append(ids, m.ID)
	}
	require.Equal(t, []string{"qwen-plus", "text-embedding-v3"}, ids)
}

func TestFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(srv *llmtest.Server) *openai.Client
		wantStatus int
		wantType   string
	}{
		{
			name: "wrong key",
			setup: func(srv *llmtest.Server) *openai.Client {
				c := openai.DefaultConfig("sk-wrong")
				c.BaseURL = srv.BaseURL()
				return openai.NewClientWithConfig(c)
			},
			wantStatus: http.StatusUnauthorized, wantType: "invalid_request_error",
		},
		{
			name:       "rate limited",
			setup:      func(srv *llmtest.Server) *openai.Client { srv.Inject429(1, 2*time.Second); return nil },
			wantStatus: http.StatusTooManyRequests, wantType: "rate_limit_error",
		},
		{
			name:       "server error",
			setup:      func(srv *llmtest.Server) *openai.Client { srv.FailNext(1, 500, "The server had an error"); return nil },
			wantStatus: http.StatusInternalServerError, wantType: "server_error",
		},
		{
			name: "scripted error",
			setup: func(srv *llmtest.Server) *openai.Client {
				srv.SetChatFunc(func(openai.ChatCompletionRequest) (string, error) {
					return "", &llmtest.Error{Status: http.StatusBadRequest, Message: "context_length_exceeded"}
				})
				return nil
			},
			wantStatus: http.StatusBadRequest, wantType: "invalid_request_error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, client := setup(t)
			if c := tt.setup(srv); c != nil {
				client = c
			}
			_, err := client.CreateChatCompletion(t.Context(), chatRequest("问"))
			var apiErr *openai.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.wantStatus, apiErr.HTTPStatusCode)
			require.Equal(t, tt.wantType, apiErr.Type)

			// Streaming calls see the same error before any data.
			req := chatRequest("问")
			req.Stream = true
			if tt.name != "wrong key" {
				srv.FailNext(1, tt.wantStatus, "again")
			}
			_, err = client.CreateChatCompletionStream(t.Context(), req)
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.wantStatus, apiErr.HTTPStatusCode)
		})
	}
}

func TestFailuresAreConsumedOnce(t *testing.T) {
	t.Parallel()
	srv, client := setup(t)
	srv.Inject429(2, time.Second)
	for range 2 {
		_, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequest{Input: "x", Model: llmtest.DefaultEmbedModel})
		require.Error(t, err)
	}
	_, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequest{Input: "x", Model: llmtest.DefaultEmbedModel})
	require.NoError(t, err)
}

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	srv.Inject429(1, 1500*time.Millisecond)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.BaseURL()+"/chat/completions",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Key())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("Retry-After"), "rounded up to whole seconds")
}

func TestSlowResponseHonoursDeadline(t *testing.T) {
	t.Parallel()
	// An hour of latency against a short deadline: the client must give up
	// on its own deadline, whatever the machine's speed.
	_, client := setup(t, llmtest.WithLatency(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := client.CreateChatCompletion(ctx, chatRequest("问"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPromptRecordingCatchesPersonalData(t *testing.T) {
	t.Parallel()
	srv, client := setup(t)
	_, err := client.CreateChatCompletion(t.Context(), chatRequest("我的身份证号 11010519491231002X 能办低保吗"))
	require.NoError(t, err)
	idRe := regexp.MustCompile(`\d{17}[\dXx]`)
	var leaked []string
	for _, text := range srv.Texts() {
		leaked = append(leaked, idRe.FindAllString(text, -1)...)
	}
	// This test sends the ID on purpose, to show the record would catch it.
	require.Equal(t, []string{"11010519491231002X"}, leaked)
}

func TestUnknownPathAndBadBody(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	for _, tc := range []struct {
		path, body string
		want       int
	}{
		{"/v1/completions/nope", `{}`, http.StatusNotFound},
		{"/v1/chat/completions", `{not json`, http.StatusBadRequest},
		{"/v1/chat/completions", `{"model":"m","messages":[]}`, http.StatusBadRequest},
		{"/v1/embeddings", `{"model":"m","input":{"a":1}}`, http.StatusBadRequest},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+tc.path, strings.NewReader(tc.body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Key())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, fmt.Sprintf("%s %s: %s", tc.path, tc.body, body))
		require.Contains(t, string(body), `"error":{`)
	}
}

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	srv, err := llmtest.ListenAndServe("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.BaseURL(), "http://127.0.0.1:"), srv.BaseURL())
	client := openai.NewClientWithConfig(srv.ClientConfig())
	resp, err := client.CreateChatCompletion(t.Context(), chatRequest("在吗"))
	require.NoError(t, err)
	require.NotEmpty(t, resp.Choices[0].Message.Content)
}
