package console_test

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
	"github.com/safetynet/safetynet/questions"
)

// How `safetynet serve` mounts the console: the parts it already built,
// passed as they are, and the handler under /console/. (Compiled, not run.)
func ExampleNew() {
	ctx := context.Background()
	var (
		pool      *pgxpool.Pool      // the shared pool
		know      *knowledge.Service // knowledge.New(pool, embedder, opts)
		desk      *handoff.Desk      // handoff.New(pool, deliverers)
		qlog      *questions.Log     // questions.New(pool)
		out       *outreach.Service  // outreach.New(pool, cfg)
		regions   *eligibility.Store // eligibility.NewStore(pool)
		board     *switches.Board    // switches.New(pool)
		tz        *time.Location     // cfg.TZ
		log       *slog.Logger
		mux       = http.NewServeMux()
		behindTLS bool // true behind a TLS-terminating proxy
	)
	c, err := console.New(console.Deps{
		Pool:          pool,
		Log:           log,
		Switches:      board,
		Knowledge:     know,
		Handoffs:      desk,
		Questions:     qlog,
		Outreach:      out,
		Regions:       regions,
		Hotline:       "12345",
		TZ:            tz,
		SecureCookies: behindTLS,
	})
	if err != nil {
		panic(err)
	}
	mux.Handle(console.Prefix, c)
	_ = ctx
}
