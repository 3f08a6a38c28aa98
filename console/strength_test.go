package console_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/console"
	"github.com/safetynet/safetynet/internal/testdb"
)

func TestWeakPasswordsRefusedWithReason(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := context.Background()
	for pw, why := range map[string]string{
		"            ":  "only spaces",
		"aaaaaaaaaaaa":  "repeats",
		"1234567890":    "common",
		"acegikmoqsuwy": "sequence",
		"admin12345":    "common",
		"woaini1314!":   "common",
		"Woaini1314":    "most common",
		"qwertyuiop12":  "common",
		"shortpw":       "at least 10",
		"zhangwei2024":  "account name",
	} {
		_, err := console.AddUser(ctx, pool, "zhangwei", console.RoleHotline, pw)
		require.ErrorIs(t, err, console.ErrWeakPassword, pw)
		var weak *console.WeakPasswordError
		require.ErrorAs(t, err, &weak, pw)
		require.Contains(t, err.Error(), why, pw)
		require.NotEmpty(t, weak.ReasonZH)
	}
	_, err := console.AddUser(ctx, pool, "zhangwei", console.RoleHotline, "tea-kettle-river-43")
	require.NoError(t, err)
	require.ErrorIs(t, console.SetPassword(ctx, pool, "zhangwei", "aaaaaaaaaaaa"), console.ErrWeakPassword)
}

func TestConfusableNamesRefused(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := context.Background()
	_, err := console.AddUser(ctx, pool, "admin", console.RoleAdmin, adminPW)
	require.NoError(t, err)
	for _, name := range []string{
		"Admin", "ADMIN",
		"admіn",                    // Cyrillic і
		"аdmin",                    // Cyrillic а
		"ａｄｍｉｎ",                    // full-width
		"admín", "adrnin", "admιn", // zero-width, accent, rn for m, Greek iota
	} {
		_, err := console.AddUser(ctx, pool, name, console.RoleAdmin, "tea-kettle-river-43")
		require.ErrorIs(t, err, console.ErrUserExists, "%q", name)
	}
	// Invisible characters make names that print the same: not a name at all.
	_, err = console.AddUser(ctx, pool, "adm\u200bin", console.RoleAdmin, "tea-kettle-river-43")
	require.ErrorIs(t, err, console.ErrBadName)
	_, err = console.AddUser(ctx, pool, "admin2", console.RoleAdmin, "tea-kettle-river-44")
	require.NoError(t, err)
}
