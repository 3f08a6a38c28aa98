// Package llm is the client of an OpenAI-compatible server (any base URL):
// chat completions for generated answers and embeddings for model vectors,
// with batching and retries on rate limits and server errors.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/safetynet/safetynet/internal/config"
)

// Config names the server and models.
type Config struct {
	BaseURL    string // e.g. http://127.0.0.1:11434/v1
	APIKey     string
	ChatModel  string
	EmbedModel string
	// MaxRetries after the first attempt on 429 and 5xx; 3 when zero.
	MaxRetries int
	// Backoff is the first wait between attempts, doubled each time; 500ms
	// when zero.
	Backoff time.Duration
	// BatchSize is how many texts go in one embeddings request; 64 when zero.
	BatchSize  int
	HTTPClient *http.Client
}

// FromConfig takes the OPENAI_* settings.
func FromConfig(c config.Config) Config {
	return Config{BaseURL: c.OpenAIBaseURL, APIKey: c.OpenAIKey, ChatModel: c.OpenAIChatModel, EmbedModel: c.OpenAIEmbedModel}
}

// Client talks to one OpenAI-compatible server.
type Client struct {
	api *openai.Client
	cfg Config
}

// ErrNoModel means a call needs a model name that is not configured.
var ErrNoModel = errors.New("no model configured")

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient != nil {
		oc.HTTPClient = cfg.HTTPClient
	} else {
		oc.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{api: openai.NewClientWithConfig(oc), cfg: cfg}
}

// Complete sends one system and one user message and returns the reply.
// The temperature is low: answers should stick to the sources.
func (c *Client) Complete(ctx context.Context, system, user string) (string, error) {
	if c.cfg.ChatModel == "" {
		return "", fmt.Errorf("chat: OPENAI_CHAT_MODEL: %w", ErrNoModel)
	}
	var resp openai.ChatCompletionResponse
	err := c.retry(ctx, func() error {
		var err error
		resp, err = c.api.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model:       c.cfg.ChatModel,
			Temperature: 0.1,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: system},
				{Role: openai.ChatMessageRoleUser, Content: user},
			},
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("chat: the server returned no choices")
	}
	return resp.Choices[0].Message.Content, nil
}

// Embed returns one vector per text, in order, in batches.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.cfg.EmbedModel == "" {
		return nil, fmt.Errorf("embeddings: OPENAI_EMBED_MODEL: %w", ErrNoModel)
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += c.cfg.BatchSize {
		batch := texts[start:min(start+c.cfg.BatchSize, len(texts))]
		var resp openai.EmbeddingResponse
		err := c.retry(ctx, func() error {
			var err error
			resp, err = c.api.CreateEmbeddings(ctx, openai.EmbeddingRequest{
				Input: batch, Model: openai.EmbeddingModel(c.cfg.EmbedModel)})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("embeddings: %w", err)
		}
		if len(resp.Data) != len(batch) {
			return nil, fmt.Errorf("embeddings: got %d vectors for %d texts", len(resp.Data), len(batch))
		}
		vecs := make([][]float32, len(batch))
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(batch) || vecs[d.Index] != nil {
				return nil, fmt.Errorf("embeddings: bad index %d in response", d.Index)
			}
			vecs[d.Index] = d.Embedding
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// retry runs call until it succeeds, fails for good, or the retries are
// spent; it waits with exponential backoff on 429 and 5xx only.
func (c *Client) retry(ctx context.Context, call func() error) error {
	wait := c.cfg.Backoff
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil || attempt >= c.cfg.MaxRetries || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func retryable(err error) bool {
	code := 0
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		code = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		code = reqErr.HTTPStatusCode
	}
	return code == http.StatusTooManyRequests || code >= 500
}

// Embedder is the model embedder: it satisfies knowledge.Embedder.
type Embedder struct {
	client *Client
	dim    int
}

// NewEmbedder asks the server for one vector to learn the model's
// dimension, which the vector index needs.
func NewEmbedder(ctx context.Context, c *Client) (*Embedder, error) {
	vs, err := c.Embed(ctx, []string{"最低生活保障"})
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 || len(vs[0]) == 0 {
		return nil, errors.New("embeddings: empty vector from the server")
	}
	return &Embedder{client: c, dim: len(vs[0])}, nil
}

// Embed implements knowledge.Embedder.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := e.client.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if len(v) != e.dim {
			return nil, fmt.Errorf("embeddings: got %d dimensions, want %d", len(v), e.dim)
		}
	}
	return vs, nil
}

// Model implements knowledge.Embedder: the configured model name.
func (e *Embedder) Model() string { return e.client.cfg.EmbedModel }

// Dim implements knowledge.Embedder.
func (e *Embedder) Dim() int { return e.dim }
