package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func init() {
	register(command{name: "serve", usage: "web chat, staff console, JSON API, Telegram bot, outreach dispatcher", run: runServe, personalData: true})
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", ":8080", "listen address")
	if err := fs.Parse(args); err != nil {
		return badInput("%v", err)
	}
	switch {
	case len(env.Cfg.DataKey) == 0:
		// Only production gets here without a key (main makes a development
		// one otherwise): refuse rather than run a console that cannot show
		// or look up a single household.
		_, err := env.Cfg.EnsureDataKey("")
		return badInput("%v", err)
	case env.Cfg.DataKeyFile != "":
		env.Log.Warn("SAFETYNET_DATA_KEY is not set: using the development data key; set SAFETYNET_DATA_KEY in production",
			"file", env.Cfg.DataKeyFile)
	}
	pool, err := env.DB(ctx)
	if err != nil {
		return err
	}
	// Several servers may start together; migrations take an advisory lock.
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	if err := eligibility.NewStore(pool).Seed(ctx); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		cctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := pool.Ping(cctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	// Ready is narrower than healthy: the parts are wired and the process
	// is not shutting down, so a proxy sends it residents only then and
	// drains it before it stops (a rolling update).
	var ready atomic.Bool
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		cctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		switch {
		case !ready.Load():
			http.Error(w, "not ready: starting or stopping", http.StatusServiceUnavailable)
		case pool.Ping(cctx) != nil:
			http.Error(w, "not ready: database unreachable", http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "ready")
		}
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	g, gctx := errgroup.WithContext(ctx)
	parts := &serveParts{env: env, pool: pool, mux: mux, reg: reg, group: g}
	if err := parts.wire(gctx); err != nil {
		return err
	}

	limits := defaultServerLimits()
	if n, err := raiseFileLimit(); err != nil {
		env.Log.Warn("open file limit unknown", "err", err)
	} else if n > 0 {
		// Leave room for the database pool, model files and logs, so that
		// the cap on connections is reached before the file limit is.
		limits.MaxConns = max(64, min(limits.MaxConns, int(n)-256))
		env.Log.Info("open file limit", "nofile", n, "max_conns", limits.MaxConns)
	}
	srv, wrap := newHTTPServer(mux, limits)
	ready.Store(true)
	g.Go(func() error {
		<-gctx.Done()
		ready.Store(false)
		return nil
	})
	g.Go(func() error {
		env.Log.Info("serving", "addr", *addr)
		if err := serveHTTP(gctx, *addr, srv, wrap); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("listen %s: %w", *addr, err)
		}
		return nil
	})
	err = g.Wait()
	if ctx.Err() != nil {
		env.Log.Info("stopped")
		return nil
	}
	return err
}
