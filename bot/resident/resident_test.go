package resident_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/resident"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

func corpusDir(t testing.TB) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	return filepath.Join(dir, "..", "shared", "corpus")
}

// TestServeWiring is the resident side as serve assembles it: Telegram and
// the web chat on one engine, staff replies routed to each channel.
func TestServeWiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	_, err := kb.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	tg := telegramtest.New(telegramtest.WithoutLimits())
	t.Cleanup(tg.Close)

	parts, err := resident.New(ctx, resident.Options{
		Pool: pool, Answerer: kb, Registerer: prometheus.NewRegistry(),
		Config: config.Config{Hotline: "12345", TelegramToken: tg.Token(), TelegramAPIURL: tg.URL()},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	parts.Mount(mux)
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- parts.Run(runCtx) }()
	t.Cleanup(func() { stop(); require.NoError(t, <-done) })

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	// Telegram: a question, then a person.
	const chat = 9001
	tg.SendText(chat, telegramtest.User{FirstName: "王"}, "贵州2020年农村低保标准是多少？")
	msgs, err := tg.WaitForMessages(wctx, chat, 1)
	require.NoError(t, err)
	require.Contains(t, msgs[0].Text, "来源：")
	tg.SendText(chat, telegramtest.User{FirstName: "王"}, "/contact")
	_, err = tg.WaitForMessages(wctx, chat, 2)
	require.NoError(t, err)

	// The web chat on the same engine.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Post(web.URL+"/chat/api/message", "application/json", bytes.NewReader([]byte(`{"text":"人工"}`)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	tickets, err := parts.Desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 2)
	for _, tk := range tickets {
		_, err := parts.Desk.Reply(ctx, tk.ID, "李", "您好，我是工作人员。")
		require.NoError(t, err, tk.Channel)
	}
	msgs, err = tg.WaitForMessages(wctx, chat, 3)
	require.NoError(t, err)
	require.Contains(t, msgs[2].Text, "我是工作人员")
	resp, err = browser.Get(web.URL + "/chat/api/poll")
	require.NoError(t, err)
	body := new(bytes.Buffer)
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	require.Contains(t, body.String(), "我是工作人员")
}

// TestWebhookMode: with TELEGRAM_WEBHOOK_URL the webhook is registered and
// mounted at the URL's path; updates arrive through it with the secret.
func TestWebhookMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	tg := telegramtest.New(telegramtest.WithoutLimits())
	t.Cleanup(tg.Close)
	mux := http.NewServeMux()
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)

	_, err := resident.New(ctx, resident.Options{Pool: pool, Answerer: kb, Config: config.Config{
		TelegramToken: tg.Token(), TelegramAPIURL: tg.URL(), TelegramWebhookURL: web.URL + "/telegram/hook"}})
	require.Error(t, err, "a webhook without a secret is refused")

	parts, err := resident.New(ctx, resident.Options{Pool: pool, Answerer: kb, Config: config.Config{
		TelegramToken: tg.Token(), TelegramAPIURL: tg.URL(),
		TelegramWebhookURL: web.URL + "/telegram/hook", TelegramWebhookSecret: "hook-secret"}})
	require.NoError(t, err)
	parts.Mount(mux)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- parts.Run(runCtx) }()
	t.Cleanup(func() { stop(); require.NoError(t, <-done) })

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	require.NoError(t, tg.WaitFor(wctx, func() bool { return tg.Webhook().URL != "" }))
	require.Equal(t, web.URL+"/telegram/hook", tg.Webhook().URL)
	tg.SendText(9100, telegramtest.User{FirstName: "赵"}, "/help")
	msgs, err := tg.WaitForMessages(wctx, 9100, 1)
	require.NoError(t, err)
	require.Contains(t, msgs[0].Text, "我能帮您做这些事")

	resp, err := http.Post(web.URL+"/telegram/hook", "application/json", bytes.NewReader([]byte(`{"update_id":1}`)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
