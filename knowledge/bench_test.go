package knowledge_test

import (
	"context"
	"testing"

	"github.com/safetynet/safetynet/knowledge"
)

// BenchmarkAsk is one resident question end to end (redaction, query
// preparation, embedding, hybrid search, floor, extractive answer) on the
// whole corpus. The bot bench needs it to take a few milliseconds.
func BenchmarkAsk(b *testing.B) {
	svc, _ := corpusService(b, knowledge.Options{})
	qs := []string{
		"我出去打零工，来回车费能不能从收入里扣掉？",
		"贵州2020年农村低保标准是多少？",
		"怎么办理护照？",
		"家里老人瘫痪了，没有人照顾，政府能派人上门吗？",
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := svc.Ask(ctx, qs[i%len(qs)], knowledge.AskOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuiltinEmbed(b *testing.B) {
	e := knowledge.NewBuiltin()
	texts := []string{"对家庭成员因残疾、患重病或完成学业等增加的刚性支出，以及因就业创业带来的交通、就餐、通信等必要的成本，在核算家庭收入时可按规定程序适当予以扣减。"}
	for b.Loop() {
		if _, err := e.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
}
