package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// benchmark is one `safetynet bench NAME`; each lives in its own file
// (bench_bot.go, …) and registers itself with registerBench.
type benchmark struct {
	name  string
	usage string
	run   func(ctx context.Context, env *Env, args []string) error
}

var benchmarks = map[string]benchmark{}

func registerBench(b benchmark) {
	if _, dup := benchmarks[b.name]; dup {
		panic("safetynet: benchmark registered twice: " + b.name)
	}
	benchmarks[b.name] = b
}

func init() {
	register(command{name: "bench", usage: "benchmarks: bench retrieve|bot|outreach (flags in --help)", run: runBench})
}

func runBench(ctx context.Context, env *Env, args []string) error {
	names := make([]string, 0, len(benchmarks))
	for n := range benchmarks {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, "usage: safetynet bench NAME [flags]")
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-10s %s\n", n, benchmarks[n].usage)
		}
		if len(args) == 0 {
			return badInput("bench: name one of: %s", strings.Join(names, ", "))
		}
		return nil
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		return badInput("bench: unknown benchmark %q (known: %s)", args[0], strings.Join(names, ", "))
	}
	return b.run(ctx, env, args[1:])
}
