package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/safetynet/safetynet/internal/telegramtest"
)

func init() {
	register(command{name: "telegramtest", usage: "a loopback Telegram Bot API to try the bot by hand (see bot/README.md)", run: runTelegramTest})
}

// runTelegramTest serves internal/telegramtest until interrupted, so a person
// can point `safetynet serve` at it and play the resident with curl.
func runTelegramTest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("telegramtest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	noLimits := fs.Bool("no-limits", false, "do not enforce Telegram's send limits")
	if err := fs.Parse(args); err != nil {
		return badInput("%v", err)
	}
	// Update ids from the clock: a restarted stand-in never repeats the
	// ids of its last run, which the bot (same database) remembers as seen.
	opts := []telegramtest.Option{telegramtest.WithUpdateIDsAfter(time.Now().UnixMilli())}
	if *noLimits {
		opts = append(opts, telegramtest.WithoutLimits())
	}
	srv, err := telegramtest.ListenAndServe(*addr, opts...)
	if err != nil {
		return fmt.Errorf("telegramtest: listen %s: %w", *addr, err)
	}
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "Bot API stand-in on %s\n\n", srv.URL())
	fmt.Fprintf(env.Stdout, "Start the bot in another terminal:\n  TELEGRAM_BOT_TOKEN='%s' TELEGRAM_API_URL=%s make run\n\n", srv.Token(), srv.URL())
	fmt.Fprintf(env.Stdout, "Then talk to it as a resident:  curl '%s/_test/'  lists the endpoints.\n", srv.URL())
	<-ctx.Done()
	return nil
}
