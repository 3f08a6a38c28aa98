package webchat_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

type chatBundle struct {
	chat *webchat.Chat
	srv  *httptest.Server
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
	return chatBundle{chat: chat, srv: srv}
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
