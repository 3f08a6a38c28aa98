package main

import (
	"context"
	"fmt"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func init() {
	register(command{name: "migrate", usage: "apply the embedded database migrations (safe to run again)", run: runMigrate})
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return badInput("migrate takes no arguments, got %q", args[0])
	}
	pool, err := env.DB(ctx)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	// The bundled region profiles are the seed of the bureau's own.
	if err := eligibility.NewStore(pool).Seed(ctx); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "migrations applied")
	return nil
}
