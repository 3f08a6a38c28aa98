package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
)

// The same ID number under two household ids, in two files, is flagged in
// the import's output and stored for staff; extra columns never reach the
// database in clear; oversized cells are refused by line and field.
func TestOutreachImportIntegrity(t *testing.T) {
	// Setenv: not parallel.
	url := testdb.URL(testdb.NewDatabase(t))
	t.Setenv("DATABASE_URL", url)
	t.Setenv("SAFETYNET_DATA_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32)))
	dir := t.TempDir()
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	header := "household_id,head_name,national_id,phone,region,area,program,enrolled_on,next_review_on,phaseout_ends_on,pledge_signed_on,bank_account,home_address\n"
	row := func(id, name string, n int) string {
		return id + "," + name + "," + outreachID(n) + ",13800000001,guizhou-2020,rural,dibao,2025-06-01,2026-03-16,,,6222020200112233445,上寨村三组12号\n"
	}
	code, _, stderr := runCmd("outreach", "import", write("a.csv", header+row("A1", "张三", 1)+row("A2", "李四", 2)))
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := runCmd("outreach", "import", write("b.csv", header+row("B1", "王五", 3)+row("B7", "张叁", 1)))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "line 3: household B7 has the same ID number as A1")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	flagged, err := pgx.CollectRows(must(conn.Query(ctx, `SELECT household_id FROM outreach_households WHERE id_shared ORDER BY 1`)), pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"A1", "B7"}, flagged)
	code, stdout, stderr = runCmd("outreach", "household", "A1")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, `"id_shared":true`)

	// Nothing of the extra columns is readable in the table.
	var all string
	require.NoError(t, conn.QueryRow(ctx, `SELECT string_agg(h::text, E'\n') FROM outreach_households h`).Scan(&all))
	require.NotContains(t, all, "6222020200112233445")
	require.NotContains(t, all, "上寨村")

	// Re-importing B7 with its own number clears both flags.
	code, _, stderr = runCmd("outreach", "import", write("c.csv", header+row("B7", "张叁", 7)))
	require.Equal(t, 0, code, stderr)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM outreach_households WHERE id_shared`).Scan(&n))
	require.Zero(t, n)

	// Size caps, by line and field.
	long := strings.Repeat("长", 65)
	code, _, stderr = runCmd("outreach", "import", write("d.csv", header+row("C1", long, 8)+strings.Replace(row("C2", "赵六", 9), "上寨村", strings.Repeat("x", 2000), 1)))
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "line 2: head_name")
	require.Contains(t, stderr, "line 3: home_address")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
