package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddr(t *testing.T) {
	t.Parallel()
	r := New([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	req := func(peer, xff, real string) string {
		q := httptest.NewRequest("GET", "/", nil)
		q.RemoteAddr = peer
		if xff != "" {
			q.Header.Set("X-Forwarded-For", xff)
		}
		if real != "" {
			q.Header.Set("X-Real-IP", real)
		}
		return r.Addr(q)
	}
	// Not from a trusted proxy: headers are ignored.
	require.Equal(t, "203.0.113.9", req("203.0.113.9:1234", "1.2.3.4", "5.6.7.8"))
	// From the proxy: the right-most untrusted hop, not the client's own claim on the left.
	require.Equal(t, "198.51.100.7", req("10.0.0.2:80", "1.2.3.4, 198.51.100.7", ""))
	require.Equal(t, "198.51.100.7", req("10.0.0.2:80", "198.51.100.7, 10.0.0.3", ""))
	require.Equal(t, "198.51.100.8", req("10.0.0.2:80", "", "198.51.100.8"))
	require.Equal(t, "10.0.0.2", req("10.0.0.2:80", "", ""))
	var none *Resolver
	q := httptest.NewRequest("GET", "/", nil)
	q.RemoteAddr = "[::1]:5"
	q.Header.Set("X-Forwarded-For", "1.2.3.4")
	require.Equal(t, "::1", none.Addr(q))
}
