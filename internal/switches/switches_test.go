package switches

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
)

func TestSwitches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := New(testdb.New(t))

	on, err := b.Enabled(ctx, ResidentQA)
	require.NoError(t, err)
	require.True(t, on, "a channel never switched is on")

	_, err = b.Set(ctx, ResidentQA, false, "  ", "admin")
	require.ErrorIs(t, err, ErrCommentRequired)

	s, err := b.Set(ctx, ResidentQA, false, "answers cite the wrong year", "admin")
	require.NoError(t, err)
	require.False(t, s.Enabled)

	got, err := b.Get(ctx, ResidentQA)
	require.NoError(t, err)
	require.False(t, got.Enabled)
	require.Equal(t, "answers cite the wrong year", got.Comment)
	require.Equal(t, "admin", got.ChangedBy)

	other, err := b.Enabled(ctx, OutreachSending)
	require.NoError(t, err)
	require.True(t, other)

	_, err = b.Get(ctx, "fax")
	require.ErrorContains(t, err, "channel")

	all, err := b.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
}
