package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/testdb"
)

// TestMain keeps every test's development data key out of the real user's
// configuration directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "safetynet-cmd-config-")
	if err != nil {
		panic(err)
	}
	if err := os.Setenv("XDG_CONFIG_HOME", dir); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// On the local defaults a command that stores personal data makes a
// development key once, says so, and reuses it: households imported by one
// run are readable by the next.
func TestDevelopmentDataKeyOnLocalDefaults(t *testing.T) {
	// Setenv: not parallel.
	cfgDir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgDir)
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	t.Setenv("SAFETYNET_DATA_KEY", "")
	csv := filepath.Join(t.TempDir(), "h.csv")
	require.NoError(t, os.WriteFile(csv, []byte("household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on\n"+
		"K1,张三,11010519491231002X,13800000001,guizhou-2020,rural,dibao,2025-01-01,2026-12-01,,\n"), 0o600))

	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"outreach", "import", csv}, strings.NewReader(""), &out, &errb), errb.String())
	keyFile := config.DevKeyFile(cfgDir)
	require.Contains(t, errb.String(), keyFile, "says where the development key is")
	fi, err := os.Stat(keyFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	out.Reset()
	errb.Reset()
	require.Equal(t, 0, run([]string{"outreach", "followups", "--csv"}, strings.NewReader(""), &out, &errb), errb.String())
	require.NotContains(t, errb.String(), "made a development data key", "made once")
}

func TestServeRefusesWithoutKeyInProduction(t *testing.T) {
	t.Setenv("SAFETYNET_ENV", "production")
	t.Setenv("SAFETYNET_DATA_KEY", "")
	t.Setenv("DATABASE_URL", testdb.URL("never_opened"))
	var out, errb bytes.Buffer
	code := run([]string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb)
	require.Equal(t, 2, code)
	require.Contains(t, errb.String(), "SAFETYNET_DATA_KEY")
	require.Contains(t, errb.String(), "production")
}
