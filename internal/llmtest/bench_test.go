package llmtest_test

import (
	"context"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/safetynet/safetynet/internal/llmtest"
)

// BenchmarkChatCompletion measures a full round trip through the real
// client, so callers know how little of their benchmark the stand-in takes.
func BenchmarkChatCompletion(b *testing.B) {
	srv := llmtest.New()
	defer srv.Close()
	client := openai.NewClientWithConfig(srv.ClientConfig())
	req := chatRequest("低保标准是多少？")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.CreateChatCompletion(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkEmbeddings embeds batches of 16 passages at 1024 dimensions.
func BenchmarkEmbeddings(b *testing.B) {
	srv := llmtest.New(llmtest.WithEmbeddingDim(1024))
	defer srv.Close()
	client := openai.NewClientWithConfig(srv.ClientConfig())
	in := make([]string, 16)
	for i := range in {
		in[i] = "申请最低生活保障，由共同生活的家庭成员向户籍所在地的乡镇人民政府提出书面申请。"
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{Input: in, Model: llmtest.DefaultEmbedModel}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*len(in))/b.Elapsed().Seconds(), "texts/s")
}
