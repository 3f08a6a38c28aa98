package outreach

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRiverProducerCountsGoToDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		l := newRiverLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})))
		l.With("svc", "river").InfoContext(context.Background(), "producer: Producer job counts", "num_jobs_running", 3)
		l.InfoContext(context.Background(), "client: elected leader")
		out := buf.String()
		if !strings.Contains(out, "elected leader") || !strings.Contains(out, `"level":"INFO"`) {
			t.Errorf("level %v: other records must pass unchanged:\n%s", level, out)
		}
		counts := strings.Contains(out, "Producer job counts")
		if counts != (level == slog.LevelDebug) {
			t.Errorf("level %v: job counts logged = %v:\n%s", level, counts, out)
		}
		if counts && !strings.Contains(out, `"level":"DEBUG","msg":"producer: Producer job counts"`) {
			t.Errorf("job counts not at debug:\n%s", out)
		}
	}
}
