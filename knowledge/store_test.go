package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/document"
)

// snapshot is every stored row with its row version (xmin), so a test can
// tell that nothing was rewritten, not just that the values are equal.
func snapshot(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT 'd' || id || ':' || xmin::text || ':' || hash FROM documents
		UNION ALL SELECT 'c' || id || ':' || xmin::text || ':' || content_hash FROM chunks
		UNION ALL SELECT 'e' || chunk_id || ':' || xmin::text || ':' || model FROM chunk_embeddings
		ORDER BY 1`)
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestIngestTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	svc, pool := corpusService(t, knowledge.Options{})
	before := snapshot(t, pool)
	require.NotEmpty(t, before)

	rep, err := svc.Ingest(context.Background(), corpusDir(t))
	require.NoError(t, err)
	require.Equal(t, 5, rep.DocsUnchanged)
	require.Zero(t, rep.DocsAdded+rep.DocsUpdated+rep.ChunksAdded+rep.ChunksUpdated)
	require.Equal(t, before, snapshot(t, pool), "a second ingest rewrote rows")
}

func copyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(corpusDir(t))))
	for _, e := range must(os.ReadDir(dir)) {
		require.NoError(t, os.Chmod(filepath.Join(dir, e.Name()), 0o644))
	}
	return dir
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestChangedFileReplacesItsChunks(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	ctx := context.Background()
	dir := copyCorpus(t)
	_, err := svc.Ingest(ctx, dir)
	require.NoError(t, err)

	name := "002_7906d49b427e11db.txt"
	path := filepath.Join(dir, name)
	raw := must(os.ReadFile(path))
	changed := strings.Replace(string(raw), "16周岁延长18周岁", "16周岁延长到20周岁", 1)
	require.NotEqual(t, string(raw), changed)
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))

	rep, err := svc.Ingest(ctx, dir)
	require.NoError(t, err)
	require.Equal(t, 1, rep.DocsUpdated)
	require.Equal(t, 4, rep.DocsUnchanged)
	require.Equal(t, 1, rep.ChunksUpdated, "only the edited chunk is new")

	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE text LIKE '%延长到20周岁%'`).Scan(&n))
	require.Equal(t, 1, n)
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id
		WHERE d.name = $1 AND c.text LIKE '%延长18周岁%'`, name).Scan(&n))
	require.Zero(t, n, "the old version's chunk is gone")
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM chunks c
		WHERE NOT EXISTS (SELECT 1 FROM chunk_embeddings e WHERE e.chunk_id = c.id)`).Scan(&n))
	require.Zero(t, n, "every chunk has its vector")

	// The character statistics Okapi weighs by were refreshed after the
	// edit brought "到" into the changed item.
	var stats, counted int
	require.NoError(t, pool.QueryRow(ctx, `SELECT ndoc FROM chunk_char_stats WHERE ch = '到'`).Scan(&stats))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE heading || text LIKE '%到%'`).Scan(&counted))
	require.Positive(t, counted)
	require.Equal(t, counted, stats, "items holding 到, by the statistics and by the chunks")
}

// TestFailedReplacementKeepsOldVersion: the replacement of a document's
// chunks is one transaction; when storing fails half-way (a chunk that
// PostgreSQL refuses), the old version stays whole.
func TestFailedReplacementKeepsOldVersion(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	ctx := context.Background()
	doc := document.Document{Name: "note.md", Title: "低保说明", Chunks: []document.Chunk{
		{Ord: 0, Section: "一、", Text: "低保标准每年调整一次。"},
		{Ord: 1, Section: "二、", Text: "渐退期不少于一年。"},
	}}
	var rep knowledge.IngestReport
	_, err := svc.IngestDocument(ctx, doc, &rep)
	require.NoError(t, err)
	before := snapshot(t, pool)

	bad := doc
	bad.Chunks = []document.Chunk{
		{Ord: 0, Section: "一、", Text: "低保标准每半年调整一次。"},
		{Ord: 1, Section: "二、", Text: "渐退期\x00不少于一年。"}, // NUL: text columns refuse it
	}
	_, err = svc.IngestDocument(ctx, bad, &rep)
	require.Error(t, err)
	require.Contains(t, err.Error(), "note.md")
	require.Equal(t, before, snapshot(t, pool), "a failed replacement changed stored rows")
}

func TestUnreadableFileReportedOthersGoOn(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	dir := copyCorpus(t)
	// Not a zip archive: the docx reader cannot open it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.docx"), []byte("not a docx"), 0o644))
	missing := filepath.Join(dir, "gone.txt")

	rep, err := svc.Ingest(context.Background(), dir, missing)
	require.NoError(t, err)
	require.Equal(t, 5, rep.DocsAdded)
	require.Len(t, rep.Failed, 2)
	out := rep.String()
	require.Contains(t, out, "broken.docx")
	require.Contains(t, out, "gone.txt")
}

// A damaged figure is reported by ingest, on every run until the file is
// fixed, and the text is stored as it is: only the original can say what
// was meant.
func TestIngestReportsDamagedFigures(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "note.txt")
	text := "低保渐退办法\n一、渐退期\n家庭收入超过低保标准的，实行312个月的渐退期。\n二、成效\n全省xx万名困难群众受益，xx家机构参与。\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))

	for run := 1; run <= 2; run++ {
		rep, err := svc.Ingest(ctx, dir)
		require.NoError(t, err)
		require.Equal(t, run-1, rep.DocsUnchanged)
		kinds := map[document.DoubtKind]int{}
		for _, d := range rep.Doubts {
			require.Equal(t, "note.txt", d.Doc)
			kinds[d.Kind]++
		}
		require.Equal(t, map[document.DoubtKind]int{document.DoubtLostDash: 1, document.DoubtPlaceholder: 2}, kinds, "run %d", run)
		out := rep.String()
		require.Contains(t, out, "(3—12个月?)")
		require.Contains(t, out, "2 places in all masked as xx")
	}
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE text LIKE '%312个月%'`).Scan(&n))
	require.Equal(t, 1, n, "the text is stored as the file has it")
	docs, err := svc.Documents(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, docs[0].Doubts, "the document list keeps the count")
	// A document stored before doubts were counted gets its count from the
	// next ingest, though its text has not changed.
	_, err = pool.Exec(ctx, `UPDATE documents SET doubts = NULL`)
	require.NoError(t, err)
	docs, err = svc.Documents(ctx)
	require.NoError(t, err)
	require.Zero(t, docs[0].Doubts)
	rep, err := svc.Ingest(ctx, dir)
	require.NoError(t, err)
	require.Equal(t, 1, rep.DocsUnchanged)
	docs, err = svc.Documents(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, docs[0].Doubts)

	// Fixed, the file is clean.
	require.NoError(t, os.WriteFile(path, []byte(strings.NewReplacer("312", "3—12", "xx万名", "2万名", "xx家", "30家").Replace(text)), 0o644))
	rep, err = svc.Ingest(ctx, dir)
	require.NoError(t, err)
	require.Equal(t, 1, rep.DocsUpdated)
	require.Empty(t, rep.Doubts)
	docs, err = svc.Documents(ctx)
	require.NoError(t, err)
	require.Zero(t, docs[0].Doubts)
	require.NotContains(t, rep.String(), "check:")
}
