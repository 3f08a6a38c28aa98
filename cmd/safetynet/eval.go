package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/safetynet/safetynet/knowledge"
)

func init() {
	register(command{name: "eval", usage: "eval --questions FILE [--k N] [--examples all|others|none]: score retrieval (hit@1, hit@k, MRR, refusals, misses)", run: runEval})
}

func runEval(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	file := fs.String("questions", "", "question file, JSON lines")
	k := fs.Int("k", knowledge.DefaultK, "citations considered")
	examples := fs.String("examples", "all", "remembered questions ranking may use: all, others (not the question itself: to measure the examples on the questions they hold), none")
	flags, rest := flagArgs(args, nil)
	if err := fs.Parse(flags); err != nil {
		return badInput("%v", err)
	}
	if len(rest) > 0 {
		return badInput("eval: unexpected argument %q", rest[0])
	}
	if *file == "" {
		return badInput("--questions: required")
	}
	if *k < 1 || *k > 50 {
		return badInput("--k: want 1 to 50, got %d", *k)
	}
	use, ok := map[string]knowledge.ExampleUse{"all": knowledge.AllExamples,
		"others": knowledge.OtherExamples, "none": knowledge.NoExamples}[*examples]
	if !ok {
		return badInput("--examples: want all, others or none, got %q", *examples)
	}
	f, err := os.Open(*file)
	if err != nil {
		return badInput("--questions: %v", err)
	}
	defer f.Close()
	qs, err := knowledge.ReadQuestions(f)
	if err != nil {
		return badInput("%s: %v", *file, err)
	}
	svc, err := newKnowledge(ctx, env)
	if err != nil {
		return err
	}
	rep, err := svc.EvalWith(ctx, qs, knowledge.AskOptions{K: *k, Examples: use})
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, rep.String())
	return nil
}
