package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startServer serves h with limits on a loopback port.
func startServer(t *testing.T, h http.Handler, l serverLimits) (string, *connLimiter) {
	t.Helper()
	srv, wrap := newHTTPServer(h, l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	wrapped := wrap(ln)
	go func() { _ = srv.Serve(wrapped) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), wrapped.(*limitListener).cl
}

func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /api/ask", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "body: too slow", http.StatusRequestTimeout)
			return
		}
		_, _ = io.WriteString(w, "{}")
	})
	return mux
}

// A client that sends a body byte by byte and then stalls is cut off by the
// route's read deadline instead of holding its connection for ever.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	l := defaultServerLimits()
	l.APIRead = 200 * time.Millisecond
	addr, _ := startServer(t, testMux(), l)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = io.WriteString(conn, "POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"q")
	require.NoError(t, err)
	// Only a bound on a hung test: the server closes long before.
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, err = io.ReadAll(conn)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the slow request open")
}

func TestRouteDeadlines(t *testing.T) {
	t.Parallel()
	l := defaultServerLimits()
	req := func(method, path, ct string) *http.Request {
		r := httptest.NewRequest(method, path, nil)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	read, _ := l.deadlines(req("POST", "/api/ask", "application/json"))
	require.Equal(t, l.APIRead, read)
	read, _ = l.deadlines(req("POST", "/console/knowledge/upload", "multipart/form-data; boundary=x"))
	require.Equal(t, l.UploadRead, read)
	require.Greater(t, l.UploadRead, l.APIRead, "uploads may be slower than questions")
	read, _ = l.deadlines(req("GET", "/console/", ""))
	require.Equal(t, l.Read, read)
}

// Many idle keep-alive connections from one client do not keep others out:
// beyond the cap, the idle ones are closed and /healthz still answers.
func TestIdleConnectionsDoNotExhaustServer(t *testing.T) {
	t.Parallel()
	l := defaultServerLimits()
	l.MaxConns = 10
	addr, cl := startServer(t, testMux(), l)
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			_ = c.Close()
		}
	})
	for range 60 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		held = append(held, c)
		_ = c.SetDeadline(time.Now().Add(60 * time.Second)) // bound on a hang only
		_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		// The connection stays open, idle, as a keep-alive.
	}
	require.LessOrEqual(t, cl.Open(), l.MaxConns)

	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // bound on a hang only
	defer cancel()
	r, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/healthz", nil)
	resp, err := hc.Do(r)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "ok", strings.TrimSpace(string(body)))
	require.LessOrEqual(t, cl.Open(), l.MaxConns)
}
