package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
)

func TestBenchBotRunsAndReports(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	var out, errOut bytes.Buffer
	code := run([]string{"bench", "bot", "--duration", "1s", "--residents", "2", "--workers", "2", "--json"}, strings.NewReader(""), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var res benchBotResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	require.Equal(t, 2, res.Residents)
	require.Positive(t, res.Updates)
	require.Positive(t, res.Questions)
	require.Positive(t, res.UpdatesPerSec)
	require.Positive(t, res.P95ms)
	require.GreaterOrEqual(t, res.P95ms, res.P50ms)
	require.Zero(t, res.Errors)
}

func TestBenchBotBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "bot", "--residents", "0"},
		{"bench", "bot", "--nope"},
		{"bench", "bot", "extra"},
		{"bench", "nosuch"},
	} {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		require.Equal(t, 2, code, "%v: %s", args, errOut.String())
		require.NotEmpty(t, errOut.String())
	}
}
