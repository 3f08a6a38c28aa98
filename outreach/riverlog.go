package outreach

import (
	"context"
	"log/slog"
	"strings"
)

// riverLogHandler passes River's log records on, except that its periodic
// "Producer job counts" line, which River logs at info every few seconds
// while jobs run, goes to debug: at info it buried everything else.
type riverLogHandler struct{ next slog.Handler }

func newRiverLogger(l *slog.Logger) *slog.Logger {
	return slog.New(riverLogHandler{next: l.Handler()})
}

func (h riverLogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h riverLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && strings.HasSuffix(r.Message, "Producer job counts") {
		if !h.next.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r.Level = slog.LevelDebug
	}
	return h.next.Handle(ctx, r)
}

func (h riverLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return riverLogHandler{next: h.next.WithAttrs(attrs)}
}

func (h riverLogHandler) WithGroup(name string) slog.Handler {
	return riverLogHandler{next: h.next.WithGroup(name)}
}
