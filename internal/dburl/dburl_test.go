package dburl_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/internal/dburl"
	"github.com/safetynet/safetynet/internal/testdb"
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, db string
		local   bool
	}{
		{"postgres://postgres@/field_a?host=/var/run/postgresql&sslmode=disable", "field_a", true},
		{"postgresql://postgres@127.0.0.1:5432/safetynet?sslmode=disable", "safetynet", true},
		{"postgres://u:p@localhost/x", "x", true},
		{"postgres://u@[::1]:5433/y", "y", true},
		{"postgres://u@db.example.org/prod?sslmode=require", "prod", false},
		{"host=/tmp dbname=kv user=postgres", "kv", true},
		{"postgres://u@10.0.0.5/z", "z", false},
		{"postgres://u@127.0.0.1,db.example.org/multi", "multi", false},
	}
	for _, c := range cases {
		in, err := dburl.Parse(c.url)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.url, err)
			continue
		}
		if in.Database != c.db || in.Local != c.local {
			t.Errorf("Parse(%q) = database %q local %v, want %q %v", c.url, in.Database, in.Local, c.db, c.local)
		}
	}
	if _, err := dburl.Parse("postgres://u@host:notaport/x"); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("a bad port: err = %v, want one naming DATABASE_URL", err)
	}
}

func TestWithDatabaseKeepsEverythingElse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://postgres@/field_a?host=/var/run/postgresql&sslmode=disable": "postgres://postgres@/postgres?host=/var/run/postgresql&sslmode=disable",
		"postgres://u:p@127.0.0.1:5432/safetynet?sslmode=disable":               "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable",
		"postgres://u@h/?dbname=other":                                          "postgres://u@h/postgres?dbname=postgres",
	} {
		got, err := dburl.WithDatabase(in, "postgres")
		if err != nil || got != want {
			t.Errorf("WithDatabase(%q) = %q, %v; want %q", in, got, err, want)
		}
		info, err := dburl.Parse(got)
		if err != nil || info.Database != "postgres" {
			t.Errorf("WithDatabase(%q) parses to database %q, %v", in, info.Database, err)
		}
	}
	kv, err := dburl.WithDatabase("host=/tmp dbname=kv user=postgres", "o'dd")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := dburl.Parse(kv); err != nil || info.Database != "o'dd" {
		t.Errorf("keyword form %q parses to %q, %v", kv, info.Database, err)
	}
}

// TestSetupDBWithSocketURL runs scripts/setup-db.sh (what `make db`,
// `make run` and `make test` run) with a socket-style DATABASE_URL: it must
// create the database the URL names and nothing else.
func TestSetupDBWithSocketURL(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatalf("psql is needed: %v (make db installs it)", err)
	}
	sock := os.Getenv("SAFETYNET_TEST_SOCKET_DIR")
	if sock == "" {
		sock = "/var/run/postgresql"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "dburl_" + hex.EncodeToString(b)
	url := "postgres://postgres@/" + name + "?host=" + sock + "&sslmode=disable"

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testdb.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	countStray := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname LIKE '%sslmode%' OR datname LIKE '%postgresql%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	strayBefore := countStray()
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize())
	})

	root, _ := filepath.Abs("../..")
	for run := 1; run <= 2; run++ { // the second run must find it there
		cmd := exec.Command("bash", "scripts/setup-db.sh")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: setup-db.sh: %v\n%s", run, err, out)
		}
		if created := strings.Contains(string(out), "creating database"); created != (run == 1) {
			t.Errorf("run %d: 'creating database' said = %v\n%s", run, created, out)
		}
	}
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		t.Errorf("database %s was not created", name)
	}
	if n := countStray(); n != strayBefore {
		t.Errorf("databases named after the URL's query: %d, was %d", n, strayBefore)
	}
}
