package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/testdb"
)

// The first admin is made from the command line, password on stdin.
func TestUserAdd(t *testing.T) {
	name := testdb.NewDatabase(t)
	t.Setenv("DATABASE_URL", testdb.URL(name))
	cases := []struct {
		args   []string
		stdin  string
		status int
		errHas string
	}{
		{[]string{"user", "add", "--name", "lead", "--role", "admin"}, "a-long-password\n", 0, ""},
		{[]string{"user", "add", "--name", "lead", "--role", "admin"}, "a-long-password\n", 2, "already exists"},
		{[]string{"user", "add", "--name", "x", "--role", "root"}, "a-long-password\n", 2, "--role"},
		{[]string{"user", "add", "--role", "admin"}, "a-long-password\n", 2, "--name"},
		{[]string{"user", "add", "--name", "y", "--role", "hotline"}, "short\n", 2, "password"},
		{[]string{"user", "add", "--name", "z", "--role", "bureau"}, "", 2, "password"},
		{[]string{"user", "remove"}, "", 2, "usage"},
		{[]string{"user", "add", "--help"}, "", 0, "password is read from standard"},
		{[]string{"user", "add", "-h"}, "", 0, "standard\ninput"},
		{[]string{"user", "--help"}, "", 0, "--name NAME --role"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		got := run(tc.args, strings.NewReader(tc.stdin), &out, &errb)
		require.Equal(t, tc.status, got, "%v: %s", tc.args, errb.String())
		require.Contains(t, errb.String(), tc.errHas, tc.args)
	}
	pool, err := db.Open(context.Background(), testdb.URL(name))
	require.NoError(t, err)
	defer pool.Close()
	var role, hash string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT role, password_hash FROM console_users WHERE name = 'lead'`).Scan(&role, &hash))
	require.Equal(t, "admin", role)
	require.True(t, strings.HasPrefix(hash, "$argon2id$"))
}
