package webchat_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/clientip"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

type chatBundle struct {
	chat *webchat.Chat
	srv  *httptest.Server
	pool *pgxpool.Pool
}

// newChat is the web chat on the real engine over an empty corpus: every
// question gets the honest "not covered" answer, which is all these tests need.
func newChat(t *testing.T, d webchat.Deployment) chatBundle {
	t.Helper()
	pool := testdb.New(t)
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	eng, err := bot.New(bot.Config{Pool: pool, Answerer: kb, Desk: handoff.New(pool, nil), Hotline: "12345"})
	require.NoError(t, err)
	chat := webchat.New(eng, pool, nil)
	chat.Deploy(d)
	srv := httptest.NewServer(chat.Handler())
	t.Cleanup(srv.Close)
	return chatBundle{chat: chat, srv: srv, pool: pool}
}

func TestPageCSPAllowsOnlyItsOwnScript(t *testing.T) {
	t.Parallel()
	b := newChat(t, webchat.Deployment{})
	resp, err := http.Get(b.srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	var scriptSrc string
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "script-src" {
			scriptSrc = d
		}
	}
	require.NotEmpty(t, scriptSrc, csp)
	require.NotContains(t, scriptSrc, "unsafe-inline")
	require.Contains(t, csp, "frame-ancestors 'none'")
	// The page's inline script is allowed by its hash, so it still runs.
	for _, m := range regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllSubmatch(body, -1) {
		sum := sha256.Sum256(m[1])
		require.Contains(t, scriptSrc, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
}

func TestCookieSecureWhenPublicURLIsHTTPS(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		b := newChat(t, webchat.Deployment{SecureCookies: secure})
		resp, err := http.Post(b.srv.URL+"/chat/api/message", "application/json", strings.NewReader(`{"text":"你好"}`))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == webchat.CookieName {
				ck = c
			}
		}
		require.NotNil(t, ck)
		require.Equal(t, secure, ck.Secure)
	}
}

// post sends text to the chat as a browser at addr (behind the trusted
// loopback proxy), with hc's cookies if it keeps any.
func (b chatBundle) post(t *testing.T, hc *http.Client, addr, text string) int {
	t.Helper()
	req, err := http.NewRequest("POST", b.srv.URL+"/chat/api/message", strings.NewReader(`{"text":"`+text+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func loopbackProxy() *clientip.Resolver {
	return clientip.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")})
}

// A client that drops its cookie to start conversation after conversation
// is held to the per-address limit, and what it was refused leaves no rows.
func TestCookielessFloodLimitedByAddress(t *testing.T) {
	t.Parallel()
	// No refill during the test: counts are exact however slow the machine.
	b := newChat(t, webchat.Deployment{ClientIP: loopbackProxy(),
		NewChats: webchat.Bucket{Burst: 5, Per: 1e-9}, Messages: webchat.Bucket{Burst: 100, Per: 1e-9}})
	codes := map[int]int{}
	for range 40 {
		codes[b.post(t, &http.Client{}, "203.0.113.50", "低保怎么申请")]++ // a fresh client: no cookie
	}
	require.Equal(t, map[int]int{http.StatusOK: 5, http.StatusTooManyRequests: 35}, codes)
	var convs, questions int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM bot_conversations WHERE channel = 'web'`).Scan(&convs))
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM questions WHERE channel = 'web'`).Scan(&questions))
	require.Equal(t, 5, convs)
	require.LessOrEqual(t, questions, 5)

	// Someone else is not affected; a browser that keeps its cookie goes on.
	require.Equal(t, http.StatusOK, b.post(t, &http.Client{}, "198.51.100.20", "低保怎么申请"))
	jar, _ := cookiejar.New(nil)
	kept := &http.Client{Jar: jar}
	require.Equal(t, http.StatusOK, b.post(t, kept, "198.51.100.21", "你好"))
	require.Equal(t, http.StatusOK, b.post(t, kept, "198.51.100.21", "低保怎么申请"))
}

// Many cookies from one address share the address's message limit.
func TestMessagesLimitedByAddress(t *testing.T) {
	t.Parallel()
	b := newChat(t, webchat.Deployment{ClientIP: loopbackProxy(),
		NewChats: webchat.Bucket{Burst: 100, Per: 1e-9}, Messages: webchat.Bucket{Burst: 8, Per: 1e-9}})
	ok := 0
	for i := range 20 {
		jar, _ := cookiejar.New(nil)
		if b.post(t, &http.Client{Jar: jar}, "203.0.113.51", "问题"+strconv.Itoa(i)) == http.StatusOK {
			ok++
		}
	}
	require.Equal(t, 8, ok)
}
