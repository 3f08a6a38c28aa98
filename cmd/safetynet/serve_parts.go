package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/safetynet/safetynet/bot/resident"
	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/internal/clientip"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// serveParts wires the service's parts onto one mux and one errgroup: each
// part mounts its handlers and starts its background loops.
type serveParts struct {
	env   *Env
	pool  *pgxpool.Pool
	mux   *http.ServeMux
	reg   *prometheus.Registry
	group *errgroup.Group
}

func (p *serveParts) wire(ctx context.Context) error {
	env := p.env
	// The pre-check engine is the one of `safetynet check`; the region
	// profiles are the bureau's, as in force on the day asked.
	regions := eligibility.NewStore(p.pool)
	p.mux.Handle("POST /api/check", eligibility.StoreHandler(env.Cfg.Hotline, regions, env.Cfg.TZ))

	// The word segmenter loads its dictionary once (a few seconds); do it
	// now rather than in the first resident's wait. A failure here shows
	// again, with its cause, on the first question.
	if err := knowledge.Warm(); err != nil {
		env.Log.Warn("word segmenter", "err", err)
	}
	kb, err := newKnowledge(ctx, env)
	if err != nil {
		return err
	}
	p.mux.Handle("POST /api/ask", kb.Handler())

	// One outreach service for the bot (binding, /stop, buttons), the
	// console (households, campaigns) and dispatch.
	out, err := startOutreach(ctx, env, p.reg, p.group)
	if err != nil {
		return err
	}

	res, err := resident.New(ctx, resident.Options{
		Pool: p.pool, Config: env.Cfg, Logger: env.Log, Registerer: p.reg,
		Answerer: kb, Outreach: out,
	})
	if err != nil {
		return fmt.Errorf("resident bot: %w", err)
	}
	res.Mount(p.mux)
	p.group.Go(func() error { return res.Run(ctx) })

	// Uploaded documents are kept so staff can re-ingest them later; a
	// cache folder survives restarts (several servers need a shared one).
	var uploadDir string
	if d, err := os.UserCacheDir(); err == nil {
		uploadDir = filepath.Join(d, "safetynet", "uploads")
	}
	con, err := console.New(console.Deps{
		Pool: p.pool, Log: env.Log, Switches: switches.New(p.pool),
		Knowledge: kb,
		Regions:   regions,
		Handoffs:  res.Desk,
		Questions: res.Questions,
		Outreach:  out,
		Hotline:   env.Cfg.Hotline,
		TZ:        env.Cfg.TZ,
		UploadDir: uploadDir,
		// Cookies follow the public address, not the last hop's scheme.
		SecureCookies: env.Cfg.SecureCookies(),
		ClientIP:      clientip.New(env.Cfg.TrustedProxies),
	})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	p.mux.Handle(console.Prefix, con)
	return nil
}
