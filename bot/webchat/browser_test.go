package webchat_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// TestPageInABrowser drives the real page in headless Chromium: the
// welcome, a question answered with sources, a 👍, a handoff and the staff
// reply showing up by itself.
func TestPageInABrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	_, err := kb.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	desk := handoff.New(pool, webchat.NewOutbox(pool, nil))
	eng, err := bot.New(bot.Config{Pool: pool, Answerer: kb, Desk: desk, Hotline: "12345"})
	require.NoError(t, err)
	chat := webchat.New(eng, pool, nil)
	srv := httptest.NewServer(chat.Handler())
	t.Cleanup(srv.Close)

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.Headless,
			chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))...)
	t.Cleanup(cancelAlloc)
	bctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)

	has := func(sel, text string) chromedp.Action[chromedp.Void] {
		js := `[...document.querySelectorAll(` + jsString(sel) + `)].some(e => e.textContent.includes(` + jsString(text) + `))`
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(srv.URL + "/"),
		has(".msg.bot", "社会救助小助手"),
		chromedp.SendKeys(chromedp.CSS("#t"), "贵州2020年农村低保标准是多少？"),
		chromedp.Click(chromedp.CSS(`#f button[type=submit]`)),
		has(".msg.bot", "来源："),
		has(".msg.bot .buttons button", "👍 有用"),
		chromedp.Click(chromedp.Search(`//button[contains(., "👍 有用")]`)),
		has(".note", "谢谢您的反馈"),
		chromedp.Click(chromedp.CSS("#person")),
		has(".msg.bot", "我已经请工作人员来帮您"),
	}
	for i, s := range steps {
		if err := chromedp.Do(bctx, s); err != nil {
			page, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("step %d: %v\npage:\n%s", i, err, page)
		}
	}

	tickets, err := desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	_, err = desk.Reply(ctx, tickets[0].ID, "王老师", "您好，我是乡里的王老师。")
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx, has(".msg.staff", "我是乡里的王老师")))

	liked, err := pool.Query(ctx, `SELECT 1 FROM questions WHERE feedback = 1`)
	require.NoError(t, err)
	n := 0
	for liked.Next() {
		n++
	}
	liked.Close()
	require.Equal(t, 1, n)
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
