package telegramtest_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/safetynet/safetynet/internal/telegramtest"
)

// BenchmarkSendMessage measures how many sendMessage calls per second the
// server sustains from the real client, spread over many chats as an
// outreach campaign would send them. Limits are off: this measures the
// stand-in, not Telegram's policy.
func BenchmarkSendMessage(b *testing.B) {
	srv := telegramtest.New(telegramtest.WithoutLimits())
	defer srv.Close()
	client := newClient(b, srv)
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		{{Text: "已知晓", CallbackData: "ack:12345"}, {Text: "退订", CallbackData: "optout:12345"}},
	}}
	var chat atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_, err := client.SendMessage(ctx, &bot.SendMessageParams{
				ChatID:      chat.Add(1)%5000 + 1,
				Text:        "【年审提醒】您家的低保待遇将于本月底到期复核，请携带户口本和收入证明到乡镇便民服务中心办理。",
				ReplyMarkup: kb,
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	if got := len(srv.Sent()); got != b.N {
		b.Fatalf("server recorded %d messages, want %d", got, b.N)
	}
}

// BenchmarkSendMessageWithLimits runs the same load through the default
// Telegram limits, counting the 429 answers the limiter gives.
func BenchmarkSendMessageWithLimits(b *testing.B) {
	srv := telegramtest.New(telegramtest.WithGlobalRate(1e9), telegramtest.WithPerChatRate(1, 3))
	defer srv.Close()
	client := newClient(b, srv)
	var chat atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.Add(1)%50 + 1, Text: "提醒"})
			if err != nil && !bot.IsTooManyRequestsError(err) {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(srv.Count429())/float64(b.N), "429/op")
}
