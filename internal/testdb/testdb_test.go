package testdb

import (
	"context"
	"testing"

	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/require"
)

func TestNewGivesMigratedDatabaseWithVectors(t *testing.T) {
	t.Parallel()
	pool := New(t)
	ctx := context.Background()
	var v pgvector.Vector
	require.NoError(t, pool.QueryRow(ctx, `SELECT '[1,2,3]'::vector`).Scan(&v))
	require.Equal(t, []float32{1, 2, 3}, v.Slice())
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_job`).Scan(&n))
	require.Zero(t, n)
}

func TestDatabasesAreIndependent(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	ctx := context.Background()
	_, err := a.Exec(ctx, `CREATE TABLE only_in_a (x int)`)
	require.NoError(t, err)
	var exists bool
	require.NoError(t, b.QueryRow(ctx, `SELECT to_regclass('only_in_a') IS NOT NULL`).Scan(&exists))
	require.False(t, exists)
}
