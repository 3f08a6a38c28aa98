package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/internal/testdb"
)

// Passwords of the test accounts.
const (
	adminPW   = "admin-password-1"
	hotlinePW = "hotline-password-1"
	bureauPW  = "bureau-password-1"
)

type testBundle struct {
	pool    *pgxpool.Pool
	console *console.Console
	srv     *httptest.Server
}

// setup builds a console over a fresh database with one account of each
// role; more parts are wired by the deps function.
func setup(t *testing.T, deps func(d *console.Deps)) *testBundle {
	t.Helper()
	pool := testdb.New(t)
	d := console.Deps{Pool: pool}
	if deps != nil {
		deps(&d)
	}
	c, err := console.New(d)
	require.NoError(t, err)
	ctx := context.Background()
	for _, u := range []struct {
		name string
		role console.Role
		pw   string
	}{{"admin", console.RoleAdmin, adminPW}, {"hotline", console.RoleHotline, hotlinePW}, {"bureau", console.RoleBureau, bureauPW}} {
		_, err := console.AddUser(ctx, pool, u.name, u.role, u.pw)
		require.NoError(t, err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, c)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testBundle{pool: pool, console: c, srv: srv}
}

// client is one browser: a cookie jar, no automatic redirects.
type client struct {
	t    *testing.T
	hc   *http.Client
	base string
}

func (b *testBundle) client(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	// A client of its own: srv.Client() is one shared value.
	hc := &http.Client{Transport: b.srv.Client().Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: t, hc: hc, base: b.srv.URL}
}

var (
	reFormCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	reMetaCSRF = regexp.MustCompile(`<meta name="csrf" content="([^"]+)">`)
)

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(body)
}

func (c *client) postForm(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(body)
}

func (c *client) api(method, path, csrf, body string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(b)
}

// tryLogin submits the login form and returns the response.
func (c *client) tryLogin(name, pw string) *http.Response {
	c.t.Helper()
	_, page := c.get("/console/login")
	m := reFormCSRF.FindStringSubmatch(page)
	require.NotNil(c.t, m, "login form has a csrf field")
	resp, _ := c.postForm("/console/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {pw}, "next": {"/console/dashboard"}})
	return resp
}

// login signs in and returns the session's CSRF token.
func (c *client) login(name, pw string) string {
	c.t.Helper()
	resp := c.tryLogin(name, pw)
	require.Equal(c.t, http.StatusSeeOther, resp.StatusCode)
	_, page := c.get("/console/dashboard")
	m := reMetaCSRF.FindStringSubmatch(page)
	require.NotNil(c.t, m, "pages carry the csrf token")
	return m[1]
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := b.client(t)
	for _, p := range []string{"/console/", "/console/answer", "/console/operations", "/console/households", "/console/nowhere"} {
		resp, _ := c.get(p)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, p)
		require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/console/login?next="), p)
	}
	for _, p := range []string{"/console/api/switches", "/console/api/stats", "/console/api/audit"} {
		resp, body := c.get(p)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, p)
		require.Contains(t, body, "error")
	}
	resp, _ := c.api("POST", "/console/api/switches", "", `{"channel":"resident_qa","enabled":false,"comment":"x"}`)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// Static assets need no session.
	resp, body := c.get("/console/static/console.css")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "@media")
}

func TestLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)

	t.Run("wrong password", func(t *testing.T) {
		c := b.client(t)
		resp := c.tryLogin("hotline", "not-the-password")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		resp = c.tryLogin("nobody", "whatever-password")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})

	t.Run("without the form token", func(t *testing.T) {
		c := b.client(t)
		resp, _ := c.postForm("/console/login", url.Values{"name": {"admin"}, "password": {adminPW}})
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})

	t.Run("cookie flags", func(t *testing.T) {
		c := b.client(t)
		resp := c.tryLogin("admin", adminPW)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, "/console/dashboard", resp.Header.Get("Location"))
		var ck *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == "sn_console" {
				ck = k
			}
		}
		require.NotNil(t, ck)
		require.True(t, ck.HttpOnly)
		require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
		require.False(t, ck.Secure, "plain HTTP in this test")
		require.Equal(t, "/console/", ck.Path)
	})

	t.Run("open redirect refused", func(t *testing.T) {
		c := b.client(t)
		_, page := c.get("/console/login?next=//evil.example/")
		m := reFormCSRF.FindStringSubmatch(page)
		require.NotNil(t, m)
		resp, _ := c.postForm("/console/login", url.Values{"csrf": {m[1]}, "name": {"admin"}, "password": {adminPW}, "next": {"https://evil.example/"}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, "/console/", resp.Header.Get("Location"))
	})
}

func TestSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	c, err := console.New(console.Deps{Pool: pool})
	require.NoError(t, err)
	_, err = console.AddUser(context.Background(), pool, "admin", console.RoleAdmin, adminPW)
	require.NoError(t, err)
	srv := httptest.NewTLSServer(c)
	t.Cleanup(srv.Close)
	cl := &client{t: t, hc: srv.Client(), base: srv.URL}
	jar, _ := cookiejar.New(nil)
	cl.hc.Jar = jar
	cl.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp := cl.tryLogin("admin", adminPW)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	found := false
	for _, k := range resp.Cookies() {
		if k.Name == "sn_console" {
			found = true
			require.True(t, k.Secure)
		}
	}
	require.True(t, found)
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := b.client(t)
	for i := 0; i < 5; i++ {
		require.Equal(t, http.StatusUnauthorized, c.tryLogin("bureau", "guess-number-x").StatusCode)
	}
	// Even the right password is refused until the window passes.
	require.Equal(t, http.StatusTooManyRequests, c.tryLogin("bureau", bureauPW).StatusCode)
	// Other accounts from elsewhere are not affected by this name's count.
	require.Equal(t, http.StatusSeeOther, b.client(t).tryLogin("admin", adminPW).StatusCode)
}

// A console built without a part answers its JSON endpoints with 503, and
// the role check still comes first.
func TestAPIOfPartNotWired(t *testing.T) {
	t.Parallel()
	b := setup(t, nil) // Pool only
	adm := b.client(t)
	adm.login("admin", adminPW)
	for _, path := range []string{"/console/api/campaigns", "/console/api/campaigns/1", "/console/api/handoffs",
		"/console/api/handoffs/1", "/console/api/households?q=H1", "/console/api/followups"} {
		resp, body := adm.get(path)
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, path)
		require.Contains(t, body, "not wired", path)
	}
	hot := b.client(t)
	hot.login("hotline", hotlinePW)
	resp, _ := hot.get("/console/api/campaigns")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	hot := b.client(t)
	hot.login("hotline", hotlinePW)
	bur := b.client(t)
	bur.login("bureau", bureauPW)
	adm := b.client(t)
	adm.login("admin", adminPW)

	cases := []struct {
		c      *client
		path   string
		status int
	}{
		{hot, "/console/operations", http.StatusForbidden},
		{hot, "/console/households", http.StatusForbidden},
		{hot, "/console/campaigns", http.StatusForbidden},
		{hot, "/console/knowledge", http.StatusForbidden},
		{hot, "/console/dashboard", http.StatusOK},
		{hot, "/console/api/audit", http.StatusForbidden},
		{bur, "/console/operations", http.StatusForbidden},
		{bur, "/console/handoffs", http.StatusForbidden},
		{bur, "/console/knowledge", http.StatusOK},
		{adm, "/console/operations", http.StatusOK},
		{adm, "/console/api/audit", http.StatusOK},
	}
	for _, tc := range cases {
		resp, _ := tc.c.get(tc.path)
		require.Equal(t, tc.status, resp.StatusCode, tc.path)
	}
	// Home sends each role to its first page.
	resp, _ := hot.get("/console/")
	require.Equal(t, "/console/answer", resp.Header.Get("Location"))
	resp, _ = adm.get("/console/")
	require.Equal(t, "/console/dashboard", resp.Header.Get("Location"))
}

func TestSwitchesWithAudit(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	adm := b.client(t)
	csrf := adm.login("admin", adminPW)

	// A form without its token is refused and changes nothing.
	resp, _ := adm.postForm("/console/operations", url.Values{"channel": {"resident_qa"}, "enabled": {"off"}, "comment": {"wrong answers"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	// No comment: refused.
	resp, body := adm.postForm("/console/operations", url.Values{"csrf": {csrf}, "channel": {"resident_qa"}, "enabled": {"off"}, "comment": {"  "}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "请填写原因")
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM channel_switches`).Scan(&n))
	require.Zero(t, n)

	resp, body = adm.postForm("/console/operations", url.Values{"csrf": {csrf}, "channel": {"resident_qa"}, "enabled": {"off"}, "comment": {"答案出错，先停"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "已关闭")
	var enabled bool
	var by string
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT enabled, changed_by FROM channel_switches WHERE channel = 'resident_qa'`).Scan(&enabled, &by))
	require.False(t, enabled)
	require.Equal(t, "admin", by)
	var action, target, detail string
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT action, target, detail::text FROM console_audit WHERE action = 'switch.set'`).Scan(&action, &target, &detail))
	require.Equal(t, "resident_qa", target)
	require.Contains(t, detail, "答案出错")

	// The API: token in the header, and the same rules.
	resp, _ = adm.api("POST", "/console/api/switches", "", `{"channel":"outreach_sending","enabled":false,"comment":"x"}`)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = adm.api("POST", "/console/api/switches", csrf, `{"channel":"outreach_sending","enabled":false}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = adm.api("POST", "/console/api/switches", csrf, `{"channel":"nope","enabled":false,"comment":"x"}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, body = adm.api("POST", "/console/api/switches", csrf, `{"channel":"outreach_sending","enabled":false,"comment":"误发，暂停"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = adm.get("/console/api/switches")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `"enabled":false`)
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM console_audit WHERE action = 'switch.set'`).Scan(&n))
	require.Equal(t, 2, n)
}

func TestLogoutAndSharedSessions(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := b.client(t)
	csrf := c.login("admin", adminPW)

	// A second server on the same database serves the same session.
	other, err := console.New(console.Deps{Pool: b.pool})
	require.NoError(t, err)
	srv2 := httptest.NewServer(other)
	t.Cleanup(srv2.Close)
	c2 := &client{t: t, hc: c.hc, base: srv2.URL}
	u1, _ := url.Parse(b.srv.URL + "/console/")
	u2, _ := url.Parse(srv2.URL + "/console/")
	c.hc.Jar.SetCookies(u2, c.hc.Jar.Cookies(u1))
	resp, _ := c2.get("/console/operations")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, _ = c.postForm("/console/logout", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	// Gone everywhere at once.
	c.hc.Jar.SetCookies(u2, []*http.Cookie{})
	resp, _ = c2.get("/console/operations")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

func TestAddUser(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := context.Background()
	_, err := console.AddUser(ctx, pool, "a", console.RoleAdmin, "short")
	require.ErrorIs(t, err, console.ErrWeakPassword)
	_, err = console.AddUser(ctx, pool, "has space", console.RoleAdmin, "long-enough-password")
	require.ErrorIs(t, err, console.ErrBadName)
	_, err = console.AddUser(ctx, pool, "a", console.Role("root"), "long-enough-password")
	require.Error(t, err)
	u, err := console.AddUser(ctx, pool, "a", console.RoleAdmin, "long-enough-password")
	require.NoError(t, err)
	require.NotZero(t, u.ID)
	_, err = console.AddUser(ctx, pool, "a", console.RoleHotline, "long-enough-password")
	require.ErrorIs(t, err, console.ErrUserExists)
	var hash string
	require.NoError(t, pool.QueryRow(ctx, `SELECT password_hash FROM console_users WHERE name = 'a'`).Scan(&hash))
	require.True(t, strings.HasPrefix(hash, "$argon2id$v=19$"), hash)
	require.NotContains(t, hash, "long-enough-password")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := b.client(t)
	resp, body := c.get("/console/login")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")
	require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	require.NotContains(t, body, "http://", "no external resources")
	require.NotContains(t, body, "https://")
}

func TestStaffAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	adm := b.client(t)
	csrf := adm.login("admin", adminPW)

	resp, body := adm.postForm("/console/staff", url.Values{"csrf": {csrf}, "name": {"li"}, "role": {"hotline"}, "password": {"short"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "密码至少")
	resp, body = adm.postForm("/console/staff", url.Values{"csrf": {csrf}, "name": {"li"}, "role": {"hotline"}, "password": {"li-password-1"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "已添加账号 li")

	li := b.client(t)
	li.login("li", "li-password-1")
	resp, _ = li.get("/console/answer")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	var id int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT id FROM console_users WHERE name = 'li'`).Scan(&id))
	resp, _ = adm.postForm(fmt.Sprintf("/console/staff/%d/disable", id), url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	// Switched off: the open session ends and signing in fails.
	resp, _ = li.get("/console/answer")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, http.StatusUnauthorized, b.client(t).tryLogin("li", "li-password-1").StatusCode)

	var self int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT id FROM console_users WHERE name = 'admin'`).Scan(&self))
	resp, _ = adm.postForm(fmt.Sprintf("/console/staff/%d/disable", self), url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM console_audit WHERE action IN ('user.add', 'user.disable')`).Scan(&n))
	require.Equal(t, 2, n)
}

func TestClientIPHeader(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	c, err := console.New(console.Deps{Pool: pool, ClientIPHeader: "X-Forwarded-For"})
	require.NoError(t, err)
	_, err = console.AddUser(context.Background(), pool, "admin", console.RoleAdmin, adminPW)
	require.NoError(t, err)
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	cl := &client{t: t, base: srv.URL, hc: &http.Client{Jar: jar, Transport: &headerTransport{"X-Forwarded-For", "10.0.0.1, 203.0.113.7"},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	cl.login("admin", adminPW)
	var ip string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT ip FROM console_audit WHERE action = 'login'`).Scan(&ip))
	require.Equal(t, "203.0.113.7", ip, "the proxy's own entry, the last one")
}

type headerTransport struct{ name, value string }

func (h *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return http.DefaultTransport.RoundTrip(r)
}
