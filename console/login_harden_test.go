package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/internal/clientip"
)

// clientFrom is a browser whose address, as the trusted proxy reports it,
// is addr.
func (b *testBundle) clientFrom(t *testing.T, addr string) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Transport: &headerTransport{"X-Forwarded-For", addr}, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: t, hc: hc, base: b.srv.URL}
}

func behindProxy(d *console.Deps) {
	d.ClientIP = clientip.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")})
}

// Fifty guesses at once on one name are all counted before any password is
// checked: a handful are checked, the rest are told to wait, and the real
// user signing in from elsewhere is not locked out.
func TestParallelGuessesAreCounted(t *testing.T) {
	t.Parallel()
	b := setup(t, behindProxy)
	const guesser = "203.0.113.66"
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 50 {
		c := b.clientFrom(t, guesser)
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := c.tryLogin("bureau", "a-wrong-guess-1")
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	var attempts int
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT attempts FROM console_login_attempts WHERE name = 'bureau' AND addr = $1`, guesser).Scan(&attempts))
	require.Equal(t, 50, attempts)
	require.Equal(t, 5, codes[http.StatusUnauthorized], "only the free attempts reach the password check: %v", codes)
	require.Equal(t, 45, codes[http.StatusTooManyRequests], "%v", codes)

	// The guesser waits even with the right password.
	resp := b.clientFrom(t, guesser).tryLogin("bureau", bureauPW)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	// The real user, from the office, signs in.
	b.clientFrom(t, "198.51.100.5").login("bureau", bureauPW)
}

// Without a trusted proxy, X-Forwarded-For is the client's own claim and
// does not give a guesser a fresh address per attempt.
func TestForwardedForNotBelievedFromUntrustedPeer(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for i := range 7 {
		c := b.clientFrom(t, "192.0.2."+string(rune('1'+i)))
		c.tryLogin("hotline", "a-wrong-guess-2")
	}
	require.Equal(t, http.StatusTooManyRequests, b.clientFrom(t, "192.0.2.99").tryLogin("hotline", hotlinePW).StatusCode)
}
