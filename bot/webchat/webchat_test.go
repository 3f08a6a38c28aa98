package webchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir)
		dir = parent
	}
	return filepath.Join(dir, "..", "shared", "corpus")
}

type browser struct {
	t   *testing.T
	c   *http.Client
	url string
}

func newBrowser(t *testing.T, url string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar}, url: url}
}

func (b *browser) post(body map[string]string) (int, bot.Result) {
	b.t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := b.c.Post(b.url+"/chat/api/message", "application/json", bytes.NewReader(raw))
	require.NoError(b.t, err)
	defer resp.Body.Close()
	var res bot.Result
	if resp.StatusCode == http.StatusOK {
		require.NoError(b.t, json.NewDecoder(resp.Body).Decode(&res))
	}
	return resp.StatusCode, res
}

func (b *browser) poll() []webchat.StaffMessage {
	b.t.Helper()
	resp, err := b.c.Get(b.url + "/chat/api/poll?after=0")
	require.NoError(b.t, err)
	defer resp.Body.Close()
	require.Equal(b.t, http.StatusOK, resp.StatusCode)
	var out struct{ Messages []webchat.StaffMessage }
	require.NoError(b.t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Messages
}

func TestWebChatConversation(t *testing.T) {
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

	// The page.
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	page := new(bytes.Buffer)
	_, _ = page.ReadFrom(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page.String(), "社会救助小助手")
	require.Contains(t, page.String(), `name="viewport"`)

	alice, bob := newBrowser(t, srv.URL), newBrowser(t, srv.URL)

	status, res := alice.post(map[string]string{"text": "贵州2020年农村低保标准是多少？", "id": "m1"})
	require.Equal(t, http.StatusOK, status)
	require.Len(t, res.Replies, 1)
	require.Contains(t, res.Replies[0].Text, "来源：")
	require.NotEmpty(t, res.Replies[0].Sources)
	var up string
	for _, row := range res.Replies[0].Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "f:1:") {
				up = b.Data
			}
		}
	}
	require.NotEmpty(t, up)

	// A retried post (same id) is not answered twice.
	status, res = alice.post(map[string]string{"text": "贵州2020年农村低保标准是多少？", "id": "m1"})
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, res.Replies)

	// Bob cannot vote on Alice's answer; Alice can.
	_, res = bob.post(map[string]string{"data": up})
	require.Equal(t, "这个按钮已经过期了。", res.Notice)
	_, res = alice.post(map[string]string{"data": up})
	require.Equal(t, "谢谢您的反馈！", res.Notice)

	// Handoff and a staff reply that only Alice sees.
	_, res = alice.post(map[string]string{"text": "人工"})
	require.Contains(t, res.Replies[0].Text, "工作人员")
	tickets, err := desk.List(ctx, handoff.StatusOpen)
	require.NoError(t, err)
	require.Len(t, tickets, 1)
	require.Equal(t, webchat.Channel, tickets[0].Channel)
	_, err = desk.Claim(ctx, tickets[0].ID, "王老师")
	require.NoError(t, err)
	m, err := desk.Reply(ctx, tickets[0].ID, "王老师", "您好，请带户口本到乡镇办理。")
	require.NoError(t, err)
	require.NotNil(t, m.DeliveredAt)

	got := alice.poll()
	require.Len(t, got, 1)
	require.Contains(t, got[0].Text, "请带户口本到乡镇办理")
	require.Empty(t, bob.poll())

	// Bad requests get a clear answer.
	r2, err := http.Post(srv.URL+"/chat/api/message", "text/plain", strings.NewReader("hi"))
	require.NoError(t, err)
	r2.Body.Close()
	require.Equal(t, http.StatusUnsupportedMediaType, r2.StatusCode)
	status, _ = alice.post(map[string]string{"text": strings.Repeat("低保", 5000)})
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
}

// TestGreetingFollowsThePagesChoiceNotTheBrowser: a browser set to
// English is greeted in Chinese; a language chosen on the page (sent as
// lang) is followed; a language the bot does not speak is ignored.
func TestGreetingFollowsThePagesChoiceNotTheBrowser(t *testing.T) {
	t.Parallel()
	srv := newChat(t, webchat.Deployment{}).srv

	greet := func(body string) bot.Result {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/chat/api/message", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
		resp, err := http.DefaultClient.Do(req) // no cookie: a new conversation each time
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var res bot.Result
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
		require.NotEmpty(t, res.Replies)
		return res
	}
	res := greet(`{"text":"/start"}`)
	require.Equal(t, bot.LangHans, res.Lang)
	require.Contains(t, res.Replies[0].Text, "您好！我是社会救助小助手")

	res = greet(`{"text":"/start","lang":"en"}`)
	require.Equal(t, bot.LangEN, res.Lang)
	require.Contains(t, res.Replies[0].Text, "Hello!")

	res = greet(`{"text":"/start","lang":"fr"}`)
	require.Equal(t, bot.LangHans, res.Lang)
}
