package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
)

func TestRegionCommands(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	runCmd := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errs := runCmd("", "region", "list")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "guizhou-2020")
	require.Contains(t, out, "from 2020-01-01")

	code, out, errs = runCmd("", "region", "export", "guizhou-2020")
	require.Equal(t, 0, code, errs)
	var docs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &docs))
	require.Len(t, docs, 1)

	// The 2021 standard as a new version.
	docs[0]["effective_from"] = "2021-01-01"
	docs[0]["dibao_standard_monthly"].(map[string]any)["rural"] = 390
	b, _ := json.Marshal(docs[0])
	path := filepath.Join(t.TempDir(), "gz2021.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	code, out, errs = runCmd("", "region", "import", path)
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "stored 1")

	code, out, errs = runCmd("", "region", "show", "guizhou-2020", "--date", "2020-12-31")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `"rural": 375`)
	code, out, _ = runCmd("", "region", "show", "guizhou-2020", "--date", "2021-01-01")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"rural": 390`)

	// The pre-check on a date uses that day's standard.
	household := `{"region":"guizhou-2020","area":"rural","members":[{"age":45,"monthly_income":380,"employed":true}]}`
	code, out, errs = runCmd(household, "check", "--json", "--date", "2021-06-01", "-")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `"standard_monthly": 390`)
	// Without --date: today's, from the database too (not the bundled 375).
	code, out, errs = runCmd(household, "check", "--json", "-")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `"standard_monthly": 390`)

	code, _, errs = runCmd("", "region", "show", "atlantis")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "qinghai-2021", "lists the known ids")
	code, _, errs = runCmd(`{"id":"x"}`, "region", "import", "-")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "dibao_standard_monthly", "names the missing parameter")
}
