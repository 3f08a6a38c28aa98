package llm_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/llm"
	"github.com/safetynet/safetynet/internal/llmtest"
)

func client(srv *llmtest.Server) *llm.Client {
	return llm.New(llm.Config{BaseURL: srv.BaseURL(), APIKey: srv.Key(),
		ChatModel: llmtest.DefaultChatModel, EmbedModel: llmtest.DefaultEmbedModel,
		Backoff: time.Millisecond, BatchSize: 64})
}

func TestCompleteRetriesRateLimitsAndServerErrors(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(llmtest.WithKey("k1"))
	defer srv.Close()
	c := client(srv)

	srv.Inject429(1, time.Second)
	srv.FailNext(1, http.StatusBadGateway, "upstream down")
	out, err := c.Complete(context.Background(), "system", "问题")
	require.NoError(t, err)
	require.NotEmpty(t, out)
	require.Len(t, srv.Requests(), 3, "two failures, then the answer")

	srv.FailNext(1, http.StatusBadRequest, "bad request")
	_, err = c.Complete(context.Background(), "system", "问题")
	require.Error(t, err, "a 400 is not retried")
	require.Len(t, srv.Requests(), 4)

	srv.FailNext(10, http.StatusInternalServerError, "broken")
	_, err = c.Complete(context.Background(), "system", "问题")
	require.Error(t, err, "retries are spent")
	require.Len(t, srv.Requests(), 4+4)
}

func TestEmbedBatchesInOrder(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(llmtest.WithEmbeddingDim(64))
	defer srv.Close()
	c := client(srv)
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = fmt.Sprintf("第%d段 最低生活保障", i)
	}
	vs, err := c.Embed(context.Background(), texts)
	require.NoError(t, err)
	require.Len(t, vs, 150)
	require.Len(t, srv.EmbeddingRequests(), 3, "64 + 64 + 22")
	for i, v := range vs {
		require.Equal(t, llmtest.Embed(texts[i], 64), v, "vector %d out of order", i)
	}

	e, err := llm.NewEmbedder(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, 64, e.Dim())
	require.Equal(t, llmtest.DefaultEmbedModel, e.Model())
}

func TestNoModelConfigured(t *testing.T) {
	t.Parallel()
	c := llm.New(llm.Config{BaseURL: "http://127.0.0.1:1"})
	_, err := c.Complete(context.Background(), "s", "u")
	require.ErrorIs(t, err, llm.ErrNoModel)
	_, err = c.Embed(context.Background(), []string{"x"})
	require.ErrorIs(t, err, llm.ErrNoModel)
}
