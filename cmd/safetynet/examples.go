package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/safetynet/safetynet/knowledge"
)

func init() {
	register(command{name: "examples", usage: "examples add FILE|- | count: answered resident questions the ranking remembers (eval's question format)", run: runExamples})
}

const examplesUsage = `usage: safetynet examples COMMAND

  add FILE|-   store answered questions, one JSON object a line in eval's question
               format: "question", "answerable", and for an answerable one "docs"
               and "expect_any" (spans of the passage that answers it); all or none.
               A question stored already is replaced.
  count        how many are stored, answered and not
`

func runExamples(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stderr, examplesUsage)
		if len(args) == 0 {
			return badInput("examples: name a subcommand")
		}
		return nil
	}
	switch args[0] {
	case "add":
		if len(args) != 2 {
			return badInput("examples add: want one FILE (or - for standard input)")
		}
		name := args[1]
		var r io.Reader = env.Stdin
		source := "stdin"
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return badInput("examples add: %v", err)
			}
			defer f.Close()
			r, source = f, filepath.Base(name)
		}
		qs, err := knowledge.ReadQuestions(r)
		if err != nil {
			return badInput("%s: %v", name, err)
		}
		exs, err := knowledge.ExamplesFrom(qs)
		if err != nil {
			return badInput("%s: %v", name, err)
		}
		svc, err := newKnowledge(ctx, env)
		if err != nil {
			return err
		}
		added, err := svc.AddExamples(ctx, exs, source)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "examples: %d stored (%d new, %d replaced)\n", len(exs), added, len(exs)-added)
		return nil
	case "count":
		if len(args) != 1 {
			return badInput("examples count: unexpected argument %q", args[1])
		}
		svc, err := newKnowledge(ctx, env)
		if err != nil {
			return err
		}
		ans, not, err := svc.ExampleCount(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "examples: %d answered, %d the documents do not answer\n", ans, not)
		return nil
	default:
		fmt.Fprint(env.Stderr, examplesUsage)
		return badInput("examples: unknown subcommand %q", args[0])
	}
}
