package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/safetynet/safetynet/knowledge"
)

func init() {
	register(command{name: "ask", usage: "ask [--json] [--k N] [--region ID] [QUESTION]: answer from the policy documents (no QUESTION: one a line from stdin)", run: runAsk})
}

func runAsk(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "one JSON object a line")
	k := fs.Int("k", knowledge.DefaultK, "citations per answer")
	region := fs.String("region", "", "region id or place name whose documents rank higher")
	flags, rest := flagArgs(args, map[string]bool{"json": true})
	if err := fs.Parse(flags); err != nil {
		return badInput("%v", err)
	}
	if *k < 1 || *k > 50 {
		return badInput("--k: want 1 to 50, got %d", *k)
	}
	svc, err := newKnowledge(ctx, env)
	if err != nil {
		return err
	}
	opt := knowledge.AskOptions{K: *k, Region: *region}
	answer := func(q string) error {
		ans, err := svc.Ask(ctx, q, opt)
		if errors.Is(err, knowledge.ErrEmptyQuestion) || errors.Is(err, knowledge.ErrLongQuestion) {
			return badInput("%v", err)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(ans)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
			return err
		}
		fmt.Fprintln(env.Stdout, ans.Text)
		if len(ans.Citations) > 0 {
			fmt.Fprintln(env.Stdout, "来源：")
			for i, c := range ans.Citations {
				fmt.Fprintf(env.Stdout, "[%d] %s %s（%s）\n", i+1, c.Title, c.Section, c.Doc)
			}
		}
		fmt.Fprintln(env.Stdout)
		return nil
	}
	if len(rest) > 0 {
		return answer(strings.Join(rest, " "))
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if err := answer(q); err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return badInput("line %d: %v", line, ue.msg)
			}
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}
