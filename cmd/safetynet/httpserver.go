package main

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// serverLimits bound what one client can hold of the server: how long a
// request may take to arrive and to be answered, how long a keep-alive
// connection may sit idle, and how many connections are open at once.
type serverLimits struct {
	Header time.Duration // request line and headers
	Idle   time.Duration // an idle keep-alive connection
	// Read and Write bound the rest of a request and its answer, by route.
	Read, Write             time.Duration // everything not named below
	APIRead, APIWrite       time.Duration // JSON API and chat: small bodies, answers may wait for the LLM
	UploadRead, UploadWrite time.Duration // console uploads: documents and household files over slow links
	MaxConns                int           // open connections; idle ones are closed first beyond it
}

func defaultServerLimits() serverLimits {
	return serverLimits{
		Header: 10 * time.Second, Idle: 60 * time.Second,
		Read: 30 * time.Second, Write: 2 * time.Minute,
		APIRead: 15 * time.Second, APIWrite: 2 * time.Minute,
		UploadRead: 10 * time.Minute, UploadWrite: 10 * time.Minute,
		MaxConns: 4096,
	}
}

// deadlines returns the read and write time a request gets. http.Server has
// one ReadTimeout for every route; a bound that fits /api/ask would cut off
// a household file uploaded over a township's slow line, so the deadlines
// are set per request instead.
func (l serverLimits) deadlines(r *http.Request) (read, write time.Duration) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/console/") && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data"):
		return l.UploadRead, l.UploadWrite
	case strings.HasPrefix(p, "/api/"), strings.HasPrefix(p, "/chat/api/"), strings.HasPrefix(p, "/telegram"), strings.HasPrefix(p, "/wechat"):
		return l.APIRead, l.APIWrite
	}
	return l.Read, l.Write
}

// newHTTPServer returns a server for h with the limits applied, and the
// listener wrapper that enforces MaxConns; serve with
// srv.Serve(wrap(ln)).
func newHTTPServer(h http.Handler, l serverLimits) (*http.Server, func(net.Listener) net.Listener) {
	cl := &connLimiter{max: l.MaxConns, idle: list.New(), elems: map[net.Conn]*list.Element{}, open: map[net.Conn]bool{}}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			read, write := l.deadlines(r)
			rc := http.NewResponseController(w)
			now := time.Now()
			_ = rc.SetReadDeadline(now.Add(read))
			_ = rc.SetWriteDeadline(now.Add(write))
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: l.Header,
		IdleTimeout:       l.Idle,
		ConnState:         cl.track,
		// Slow-header clients are cut by ReadHeaderTimeout; the server
		// itself need not remember more header than this.
		MaxHeaderBytes: 64 << 10,
	}
	return srv, func(ln net.Listener) net.Listener { return &limitListener{Listener: ln, cl: cl} }
}

// connLimiter counts open connections and remembers the idle ones, oldest
// first. When a new connection would exceed the cap, idle keep-alives are
// closed to make room: a client holding thousands of them open must not
// keep /healthz or a resident out. Unlike a listener that stops accepting
// at the cap, the service stays reachable as long as anyone is idle.
type connLimiter struct {
	max   int
	mu    sync.Mutex
	idle  *list.List // of net.Conn, least recently idle at the front
	elems map[net.Conn]*list.Element
	open  map[net.Conn]bool
	// room is signalled when a connection closes, for an Accept waiting at the cap.
	room chan struct{}
}

func (c *connLimiter) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st {
	case http.StateNew:
		c.open[conn] = true
	case http.StateIdle:
		if _, ok := c.elems[conn]; !ok {
			c.elems[conn] = c.idle.PushBack(conn)
		}
	case http.StateActive:
		if e, ok := c.elems[conn]; ok {
			c.idle.Remove(e)
			delete(c.elems, conn)
		}
	case http.StateClosed, http.StateHijacked:
		if e, ok := c.elems[conn]; ok {
			c.idle.Remove(e)
			delete(c.elems, conn)
		}
		if c.open[conn] {
			delete(c.open, conn)
			if c.room != nil {
				select {
				case c.room <- struct{}{}:
				default:
				}
			}
		}
	}
}

// makeRoom closes idle connections until one more fits, and tells whether
// one does.
func (c *connLimiter) makeRoom() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.open) >= c.max && c.idle.Len() > 0 {
		e := c.idle.Front()
		conn := e.Value.(net.Conn)
		c.idle.Remove(e)
		delete(c.elems, conn)
		// Counted as closed now; the server's StateClosed follows.
		delete(c.open, conn)
		_ = conn.Close()
	}
	return len(c.open) < c.max
}

// Open is the number of connections counted open.
func (c *connLimiter) Open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open)
}

type limitListener struct {
	net.Listener
	cl *connLimiter
}

// Accept waits while every connection is busy (none idle to close) and
// the cap is reached; busy ones end by their deadlines.
func (l *limitListener) Accept() (net.Conn, error) {
	l.cl.mu.Lock()
	if l.cl.room == nil {
		l.cl.room = make(chan struct{}, 1)
	}
	room := l.cl.room
	l.cl.mu.Unlock()
	for !l.cl.makeRoom() {
		<-room
	}
	return l.Listener.Accept()
}

// serveHTTP listens on addr and serves until ctx ends, then finishes the
// requests in hand.
func serveHTTP(ctx context.Context, addr string, srv *http.Server, wrap func(net.Listener) net.Listener) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(wrap(ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
