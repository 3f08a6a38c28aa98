package knowledge_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// Staff list what is ingested, read a document again from its file, and
// remove one; a removal whose companion write fails leaves it in place.
func TestDocumentsListReingestRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	svc := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{})
	require.NoError(t, svc.EnsureIndex(ctx))

	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(corpusDir(t), "004_f3d72d4f8696011b.txt"))
	require.NoError(t, err)
	path := filepath.Join(dir, "004_f3d72d4f8696011b.txt")
	require.NoError(t, os.WriteFile(path, src, 0o600))
	_, err = svc.Ingest(ctx, path)
	require.NoError(t, err)

	docs, err := svc.Documents(ctx)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	d := docs[0]
	require.Equal(t, "004_f3d72d4f8696011b.txt", d.Name)
	require.NotEmpty(t, d.Title)
	require.Positive(t, d.Passages)
	require.Equal(t, path, d.SourcePath)

	rep, err := svc.Reingest(ctx, d.Name)
	require.NoError(t, err)
	require.Equal(t, 1, rep.DocsUnchanged)

	// A changed file read again replaces the document.
	require.NoError(t, os.WriteFile(path, append(src, []byte("\n\n四、附则\n本计划自印发之日起施行。\n")...), 0o600))
	rep, err = svc.Reingest(ctx, d.Name)
	require.NoError(t, err)
	require.Equal(t, 1, rep.DocsUpdated)

	_, err = svc.Reingest(ctx, "nope.txt")
	require.ErrorIs(t, err, knowledge.ErrNoDocument)

	boom := errors.New("audit failed")
	err = svc.RemoveDocument(ctx, d.Name, func(pgx.Tx) error { return boom })
	require.ErrorIs(t, err, boom)
	docs, err = svc.Documents(ctx)
	require.NoError(t, err)
	require.Len(t, docs, 1, "nothing removed when the companion write fails")

	require.NoError(t, svc.RemoveDocument(ctx, d.Name, nil))
	docs, err = svc.Documents(ctx)
	require.NoError(t, err)
	require.Empty(t, docs)
	require.ErrorIs(t, svc.RemoveDocument(ctx, d.Name, nil), knowledge.ErrNoDocument)

	// A file moved away cannot be read again: said as such.
	_, err = svc.Ingest(ctx, path)
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	_, err = svc.Reingest(ctx, d.Name)
	require.ErrorIs(t, err, knowledge.ErrNoSource)
}
