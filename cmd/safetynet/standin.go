package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/safetynet/safetynet/bot/telegramtest"
	"github.com/safetynet/safetynet/internal/llm/llmtest"
)

// Stand-in servers for trying the service by hand on one machine: a Bot API
// server to chat with the bot through curl, and an OpenAI-compatible server.
func init() {
	register(command{name: "telegramtest", usage: "run a loopback Telegram Bot API stand-in (to try the bot by hand)", run: runTelegramTest})
	register(command{name: "llmtest", usage: "run a loopback OpenAI-compatible stand-in (to try generated answers)", run: runLLMTest})
}

func runTelegramTest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("telegramtest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address (keep it on loopback: the /_test/ endpoints have no authentication)")
	noLimits := fs.Bool("no-limits", false, "do not enforce Telegram's rate limits")
	if err := fs.Parse(args); err != nil {
		return badInput("%v", err)
	}
	var opts []telegramtest.Option
	if *noLimits {
		opts = append(opts, telegramtest.WithoutLimits())
	}
	srv, err := telegramtest.ListenAndServe(*addr, opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "Bot API stand-in on %s\n\n  export TELEGRAM_API_URL=%s\n  export TELEGRAM_BOT_TOKEN=%s\n\nthen `make run` in another terminal; talk to the bot with\n  curl '%s/_test/send?chat=1&text=低保标准是多少'\n  curl '%s/_test/sent?chat=1'\n(%s/_test/ lists every control)\n",
		srv.URL(), srv.URL(), srv.Token(), srv.URL(), srv.URL(), srv.URL())
	<-ctx.Done()
	return nil
}

func runLLMTest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("llmtest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", "127.0.0.1:8082", "listen address")
	if err := fs.Parse(args); err != nil {
		return badInput("%v", err)
	}
	srv, err := llmtest.ListenAndServe(*addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "OpenAI-compatible stand-in on %s\n\n  export OPENAI_BASE_URL=%s\n", srv.URL(), srv.BaseURL())
	<-ctx.Done()
	return nil
}
