package bot

import (
	"context"
	"fmt"
	"time"
)

// seenKeep is how long an event id is remembered. Telegram redelivers an
// unconfirmed update for up to a day.
const seenKeep = 48 * time.Hour

// Prune forgets event ids older than seenKeep. Several processes may run
// it at once.
func (e *Engine) Prune(ctx context.Context) (int64, error) {
	tag, err := e.pool.Exec(ctx, `DELETE FROM bot_seen_events WHERE seen_at < now() - make_interval(secs => $1)`, seenKeep.Seconds())
	if err != nil {
		return 0, fmt.Errorf("prune seen events: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RunJanitor prunes once an hour until ctx ends.
func (e *Engine) RunJanitor(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := e.Prune(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("bot: prune", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
