// Package testdb gives tests a real PostgreSQL with pgvector: a template
// database migrated once per migration set, and a fresh database cloned from
// it for each caller, dropped when the test ends. Cloning takes a fraction
// of a second, so tests stay independent without sharing state.
//
// Tests never skip for want of a database: they fail and say how to get one.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/dburl"
	"github.com/safetynet/safetynet/migrations"
)

const howTo = "tests need PostgreSQL with pgvector: run `make db` (scripts/setup-db.sh), " +
	"or point SAFETYNET_TEST_DATABASE_URL at a server whose user may create databases"

// ServerURL is the URL of the server tests create databases on, naming the
// maintenance database `postgres`.
func ServerURL() string {
	if u := os.Getenv("SAFETYNET_TEST_DATABASE_URL"); u != "" {
		return u
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		if admin, err := dburl.WithDatabase(u, "postgres"); err == nil {
			return admin
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// URL returns the URL of database name on the test server.
func URL(name string) string {
	u, err := dburl.WithDatabase(ServerURL(), name)
	if err != nil {
		return ServerURL()
	}
	return u
}

// New creates a fresh migrated database for the test, returns a pool on it
// and drops it when the test ends.
func New(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	name := NewDatabase(tb)
	ctx := context.Background()
	pool, err := db.Open(ctx, URL(name))
	if err != nil {
		tb.Fatalf("testdb: open %s: %v", name, err)
	}
	// Registered after NewDatabase's drop, so it runs first.
	tb.Cleanup(pool.Close)
	return pool
}

// NewDatabase creates a fresh migrated database and returns its name, for
// tests that hand a DATABASE_URL to a child process (use URL(name)).
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		tb.Fatalf("testdb: %v\n%s", err, howTo)
	}
	defer admin.Close(ctx)

	tmpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		tb.Fatalf("testdb: template: %v\n%s", err, howTo)
	}
	name := "sn_test_" + randomHex(6)
	// Clones of one template are serialised: PostgreSQL refuses to copy a
	// database that another session is copying at the same moment.
	if err := withLock(ctx, admin, func() error {
		_, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl))
		return err
	}); err != nil {
		tb.Fatalf("testdb: create %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			tb.Logf("testdb: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			tb.Logf("testdb: drop %s: %v", name, err)
		}
	})
	return name
}

// ensureTemplate makes the template for the current migrations once. Its name
// carries a hash of the migration files, so a changed migration gets a new
// template and an old one is never reused by mistake.
func ensureTemplate(ctx context.Context, admin *pgx.Conn) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	tmpl := "sn_tmpl_" + sum
	err = withLock(ctx, admin, func() error {
		var exists bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		// Built under another name and renamed when complete, so a run that
		// dies half-way never leaves a half-migrated template behind.
		building := tmpl + "_b"
		if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
			return err
		}
		if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
			return err
		}
		pool, err := db.Open(ctx, URL(building))
		if err != nil {
			return err
		}
		err = db.Migrate(ctx, pool)
		pool.Close()
		if err != nil {
			return err
		}
		_, err = admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, tmpl))
		return err
	})
	return tmpl, err
}

// withLock runs fn under a server-wide advisory lock shared by every test
// process, since go test runs packages in parallel.
func withLock(ctx context.Context, admin *pgx.Conn, fn func() error) error {
	const key = 0x5afe7e57
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck
	return fn()
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	// River's schema version is part of the template too.
	h.Write([]byte(riverVersion()))
	return strings.ToLower(hex.EncodeToString(h.Sum(nil))[:16]), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Empty creates a database with no migrations applied and returns a pool
// on it, for tests of a migration on data written by the versions before.
// It is dropped when the test ends.
func Empty(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		tb.Fatalf("testdb: %v\n%s", err, howTo)
	}
	defer admin.Close(ctx)
	name := "sn_empty_" + randomHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		tb.Fatalf("testdb: create %s: %v", name, err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), ServerURL())
		if err != nil {
			tb.Logf("testdb: drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			tb.Logf("testdb: drop %s: %v", name, err)
		}
	})
	pool, err := db.Open(ctx, URL(name))
	if err != nil {
		tb.Fatalf("testdb: open %s: %v", name, err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
