package bot_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
)

// The engine alone, no channel: one event at a time against PostgreSQL.
func BenchmarkHandle(b *testing.B) {
	for _, c := range []struct {
		name string
		ev   func(i int) bot.Event
	}{
		{"command", func(i int) bot.Event { return text(int64(1000+i%50), "/help") }},
		{"question", func(i int) bot.Event {
			return text(int64(2000+i%50), []string{"贵州2020年农村低保标准是多少？", "低保渐退期多长时间？", "临时救助怎么申请？"}[i%3])
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := newBenchFixture(b, func(c *bot.Config) { c.RateBurst, c.RatePerSec = 1e9, 1e9 })
			ctx := context.Background()
			i := 0
			for b.Loop() {
				_, err := f.eng.Handle(ctx, c.ev(i))
				require.NoError(b, err)
				i++
			}
		})
	}
}
