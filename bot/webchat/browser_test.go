package webchat_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// TestPageInABrowser drives the real page in headless Chromium: the
// welcome, a question answered with sources, 有帮助 pressed, a handoff and the staff
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
	bctx := chromium(t, "zh-CN", "zh-CN")

	play(t, bctx,
		chromedp.Navigate(srv.URL+"/"),
		has(".msg.bot", "社会救助小助手"),
		chromedp.SendKeys(chromedp.CSS("#t"), "贵州2020年农村低保标准是多少？"),
		chromedp.Click(chromedp.CSS(`#f button[type=submit]`)),
		has(".msg.bot", "来源："),
		has(".msg.bot .buttons button", "有帮助"),
		chromedp.Click(chromedp.Search(`//button[contains(., "有帮助")]`)),
		has(".note", "谢谢您的反馈"),
		chromedp.Click(chromedp.CSS("#person")),
		has(".msg.bot", "我已经请工作人员来帮您"),
	)

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

// chromium launches headless Chromium in the language lang, sending
// acceptLang as its Accept-Language, and returns the context of its tab.
// Both go when the test ends.
func chromium(t *testing.T, lang, acceptLang string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.Headless,
			chromedp.Flag("lang", lang), chromedp.Flag("accept-lang", acceptLang))...)
	t.Cleanup(cancelAlloc)
	bctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	return bctx
}

// play runs steps in the tab bctx one after another; on a failed step the
// test stops with the page's text, which usually says what went wrong.
func play(t *testing.T, bctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, s := range steps {
		if err := chromedp.Do(bctx, s); err != nil {
			page, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("step %d: %v\npage:\n%s", i, err, page)
		}
	}
}

// poll waits up to 15 seconds for the script js to be true in the page.
func poll(js string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return chromedp.Void{}, err
	}
}

// has waits for an element matching sel whose text contains text.
func has(sel, text string) chromedp.Action[chromedp.Void] {
	return poll(`[...document.querySelectorAll(` + jsString(sel) + `)].some(e => e.textContent.includes(` + jsString(text) + `))`)
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

// TestPageOnAPhoneInChinese drives the page at a phone's width (390 px) in
// a browser set to English: the greeting is Chinese (only a language the
// resident chose on the page counts), a household described gets the
// pre-check offered as a button that starts it, the newest buttons are
// scrolled into view above the text box, and a language chosen with 语言
// is kept by the page for the next conversation.
func TestPageOnAPhoneInChinese(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	_, err := kb.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	eng, err := bot.New(bot.Config{Pool: pool, Answerer: kb, Hotline: "12345", RateBurst: 100,
		Wizard: bot.EligibilityWizard{W: &eligibility.Wizard{Hotline: "12345"}}})
	require.NoError(t, err)
	srv := httptest.NewServer(webchat.New(eng, pool, nil).Handler())
	t.Cleanup(srv.Close)
	bctx := chromium(t, "en-US", "en-US,en")

	// The last message's last button lies wholly inside the log, above
	// the text box, without the resident scrolling.
	buttonsInView := poll(`(() => {
		const bs = document.querySelectorAll(".msg.bot:last-child .buttons button");
		if (!bs.length) return false;
		const b = bs[bs.length - 1].getBoundingClientRect();
		const log = document.getElementById("log").getBoundingClientRect();
		const form = document.getElementById("f").getBoundingClientRect();
		return b.top >= log.top && b.bottom <= log.bottom && b.bottom <= form.top;
	})()`)
	clearCookies := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})
	play(t, bctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srv.URL+"/"),
		has(".msg.bot", "您好！我是社会救助小助手"),
		// A household described: the answer offers the pre-check as a
		// button, and the button starts it.
		chromedp.SendKeys(chromedp.CSS("#t"), "我家老人瘫痪在床没人照顾能申请什么"),
		chromedp.Click(chromedp.CSS(`#f button[type=submit]`)),
		has(".msg.bot .buttons button", "测一测能不能申请"),
		buttonsInView,
		chromedp.Click(chromedp.Search(`//button[contains(., "测一测能不能申请")]`)),
		has(".msg.bot .buttons button", "3. 青海省"),
		buttonsInView,
		chromedp.Click(chromedp.Search(`//button[contains(., "贵州省")]`)),
		has(".msg.bot .buttons button", "2. 农村"),
		buttonsInView,
		// A language chosen on the page is kept by the page: a new
		// conversation (the cookie gone) starts in it.
		chromedp.Click(chromedp.CSS("#lang")),
		has(".msg.bot .buttons button", "English"),
		chromedp.Click(chromedp.Search(`//button[contains(., "English")]`)),
		has(".msg.bot", "I will reply in English"),
		clearCookies,
		chromedp.Navigate(srv.URL+"/"),
		has(".msg.bot", "Hello! I help with social assistance"),
	)
}
