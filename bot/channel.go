package bot

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/config"
)

// Channel is one way residents reach the service, as bot/resident
// assembles it: each adapter package exports one, and adding a channel is
// adding it to resident's list.
type Channel struct {
	Name string
	// Sender returns the channel's sender from the settings, or nil when
	// the channel is not configured. It needs no engine, so commands that
	// only send (outreach dispatch) use it too.
	Sender func(ctx context.Context, s Setup) (ChannelSender, error)
	// Receive connects the channel to s.Engine; out is what Sender returned.
	Receive func(ctx context.Context, s Setup, out ChannelSender) (Receiver, error)
}

// ChannelSender is a channel's sender with its limits.
type ChannelSender interface {
	chat.Sender
	Limits() chat.Limits
}

// Receiver is the receiving side of a channel: HTTP endpoints (a page, a
// webhook) and a loop (long polling, pruning) that ends with ctx.
type Receiver interface {
	Mount(mux *http.ServeMux)
	Run(ctx context.Context) error
}

// Setup is what a channel is opened with.
type Setup struct {
	Config config.Config
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Engine handles events (the Engine behind the chat lock); nil when
	// only senders are wanted.
	Engine Handling
}
