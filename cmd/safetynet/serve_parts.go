package main

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

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
	// The pre-check needs no database: the same engine as `safetynet check`.
	p.mux.Handle("POST /api/check", eligibility.Handler(p.env.Cfg.Hotline))
	return nil
}
