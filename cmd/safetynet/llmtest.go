package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/safetynet/safetynet/internal/llmtest"
)

// An OpenAI-compatible stand-in, to try generated answers by hand on one
// machine with no model server.
func init() {
	register(command{name: "llmtest", usage: "run a loopback OpenAI-compatible stand-in (to try generated answers)", run: runLLMTest})
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
