// Package loopback is what the stand-ins for outside services
// (internal/telegramtest, internal/llmtest, internal/wechattest) share:
// serving a handler on a loopback port for tests, or on a chosen address
// for a person trying the service by hand, with a URL a client can dial.
package loopback

import (
	"net"
	"net/http"
	"net/http/httptest"
)

// Start serves h. With addr "" it takes a free loopback port (tests);
// otherwise it listens on addr (e.g. "127.0.0.1:8081"), returning once the
// port is open. Close the server when done.
func Start(addr string, h http.Handler) (*httptest.Server, error) {
	if addr == "" {
		return httptest.NewServer(h), nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	return srv, nil
}

// URL is the server's root as a client can dial it: a wildcard listen
// address ("[::]:8081") becomes 127.0.0.1.
func URL(srv *httptest.Server) string {
	a := srv.Listener.Addr()
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return srv.URL
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
