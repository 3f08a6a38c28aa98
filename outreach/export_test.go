package outreach

import (
	"context"
	"time"

	"github.com/safetynet/safetynet/chat"
)

// RequeueOrphans exposes the safety net to tests.
func (s *Service) RequeueOrphans(ctx context.Context) (int, error) { return s.requeueOrphans(ctx) }

// TakeSlot exposes one pacing reservation to tests.
func (s *Service) TakeSlot(ctx context.Context, to chat.Address) (time.Duration, bool, error) {
	return s.takeSlot(ctx, to)
}
