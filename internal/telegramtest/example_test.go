package telegramtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/safetynet/safetynet/internal/telegramtest"
)

// A resident writes, the bot answers through the real client.
func Example() {
	srv := telegramtest.New()
	defer srv.Close()

	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "您好！"})
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go b.Start(ctx)

	srv.SendText(1001, telegramtest.User{FirstName: "李"}, "在吗")
	msgs, err := srv.WaitForMessages(ctx, 1001, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msgs[0].Text)
	// Output: 您好！
}
