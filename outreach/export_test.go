package outreach

import "context"

// RequeueOrphans exposes the safety net to tests.
func (s *Service) RequeueOrphans(ctx context.Context) (int, error) { return s.requeueOrphans(ctx) }
