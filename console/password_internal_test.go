package console

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// With every argon2 slot taken, a further check waits for one instead of
// running alongside: memory stays at slots × argonMemory.
func TestArgonRunsAreBounded(t *testing.T) {
	// Not parallel: it fills the package's slots.
	for range cap(argonSlots) {
		argonSlots <- struct{}{}
	}
	defer func() {
		for range cap(argonSlots) {
			<-argonSlots
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := verifyPasswordCtx(ctx, dummyHash, "x")
	require.ErrorIs(t, err, context.Canceled)
}
