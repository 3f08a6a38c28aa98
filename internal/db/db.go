// Package db opens the PostgreSQL pool every part shares and applies the
// embedded migrations: goose for ours, rivermigrate for River's queue tables.
package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/safetynet/safetynet/migrations"
)

// ErrNoVector means the server lacks the pgvector extension.
var ErrNoVector = errors.New("the PostgreSQL server has no pgvector extension: run scripts/setup-db.sh (make db)")

// Open connects a pool and registers pgvector's types on each connection, so
// vector columns scan into pgvector.Vector. Types are registered only when
// the extension exists: migrate must be able to connect before it does.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	// pgxpool's default is the CPU count, too few for a server whose bot,
	// console and dispatch workers all wait on the database at once.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 20
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		var has bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'vector')`).Scan(&has); err != nil {
			return err
		}
		if !has {
			return nil
		}
		return pgxvec.RegisterTypes(ctx, conn)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s: %w (is PostgreSQL running? make db prepares a local one)", redactURL(cfg), err)
	}
	return pool, nil
}

func redactURL(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Migrate applies River's migrations and then ours, under advisory locks so
// that several servers starting together do not race.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := requireVector(ctx, pool); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	sub, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, sub,
		goose.WithSessionLocker(locker),
		// Parts own separate version ranges and grow independently; a
		// database migrated by an older build must accept a lower number.
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// Types created by the migrations (vector) must be known to connections
	// opened before them.
	pool.Reset()
	return nil
}

func requireVector(ctx context.Context, pool *pgxpool.Pool) error {
	var available bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&available)
	if err != nil {
		return fmt.Errorf("check for pgvector: %w", err)
	}
	if !available {
		return ErrNoVector
	}
	return nil
}
