package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/fixtures"
	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// sharedDir is ../shared beside the module root.
func sharedDir(t *testing.T) string { t.Helper(); return fixtures.Shared(t) }

// TestKnowledgeCommands: ingest, ask and eval as cli.md specifies them.
func TestKnowledgeCommands(t *testing.T) {
	// Setenv: not parallel.
	t.Setenv("DATABASE_URL", testdb.URL(testdb.NewDatabase(t)))
	t.Setenv("OPENAI_BASE_URL", "")
	shared := sharedDir(t)
	corpus := filepath.Join(shared, "corpus")
	runCmd := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, errOut := runCmd("", "ingest", corpus)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "documents: 5 added, 0 updated, 0 unchanged")
	code, out, _ = runCmd("", "ingest", corpus)
	require.Equal(t, 0, code)
	require.Contains(t, out, "documents: 0 added, 0 updated, 5 unchanged")

	bad := filepath.Join(t.TempDir(), "bad.docx")
	require.NoError(t, os.WriteFile(bad, []byte("not a docx"), 0o644))
	code, out, _ = runCmd("", "ingest", bad, corpus)
	require.Equal(t, 1, code, "a failed file fails the command")
	require.Contains(t, out, "bad.docx")
	require.Contains(t, out, "5 unchanged", "the other files went on")

	code, out, errOut = runCmd("贵州2020年农村低保标准是多少？\n\n怎么办理护照？\n", "ask", "--json", "--k", "3")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	var a, b knowledge.Answer
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &a))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &b))
	require.True(t, a.Answered)
	require.Len(t, a.Citations, 3)
	require.Equal(t, "004_f3d72d4f8696011b.txt", a.Citations[0].Doc)
	require.False(t, b.Answered)
	require.Contains(t, b.Text, "12345")

	code, out, _ = runCmd("", "ask", "低保渐退期多长时间？", "--region", "sichuan")
	require.Equal(t, 0, code)
	require.Contains(t, out, "[1]")

	code, out, errOut = runCmd("", "eval", "--questions", filepath.Join(shared, "eval", "questions.jsonl"))
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "hit@1:")
	require.Contains(t, out, "hit@5:")
	require.Contains(t, out, "MRR:")
	require.Contains(t, out, "refusals: 2 of 2")

	for _, args := range [][]string{
		{"ingest"},
		{"ask", "--k", "0", "x"},
		{"ask", "--nope"},
		{"eval"},
		{"eval", "--questions", filepath.Join(t.TempDir(), "none.jsonl")},
	} {
		code, _, errOut := runCmd("", args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
	}
	badQ := filepath.Join(t.TempDir(), "q.jsonl")
	require.NoError(t, os.WriteFile(badQ, []byte(`{"id":"a","question":"x","answerable":false}`+"\n{oops\n"), 0o644))
	code, _, errOut = runCmd("", "eval", "--questions", badQ)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "line 2")
}
