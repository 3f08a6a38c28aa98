package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func init() {
	register(command{name: "check", usage: "[--json] FILE|-  eligibility pre-check of one household", run: runCheck})
}

// runCheck reads one household (a file, or standard input for "-"), runs
// the pre-check and prints the result: JSON with --json, else a report in
// Chinese. Nothing reaches standard output unless the input was valid.
func runCheck(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	date := fs.String("date", "", "use the bureau's region profiles in force on this day, YYYY-MM-DD "+
		"(default: today in SAFETYNET_TZ); they are read from the database")
	flags, rest := flagArgs(args, map[string]bool{"json": true})
	if err := fs.Parse(flags); err != nil {
		return badInput("%v", err)
	}
	rest = append(rest, fs.Args()...)
	if len(rest) != 1 {
		return badInput("need exactly one FILE (or - for standard input), got %d", len(rest))
	}

	var in io.Reader = env.Stdin
	name := "standard input"
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return badInput("open %s: %v", rest[0], err)
		}
		defer f.Close()
		in, name = f, rest[0]
	}
	// The profiles the bureau keeps in the database, in force on the day
	// asked (today by default), as /api/check and the chat's pre-check
	// use them: the bundled ones are only the seed.
	day, err := eligibility.DayAsked(*date, env.Cfg.TZ)
	if err != nil {
		return badInput("--%v", err)
	}
	pool, err := env.DB(ctx)
	if err != nil {
		return fmt.Errorf("region profiles are read from the database (DATABASE_URL): %w", err)
	}
	set, err := eligibility.NewStore(pool).InForce(ctx, day)
	if err != nil {
		return err
	}
	h, err := eligibility.DecodeIn(io.LimitReader(in, 1<<20), set)
	if err != nil {
		var ie *eligibility.InputError
		if errors.As(err, &ie) {
			field := ie.Field
			if field == "" {
				field = "(document)"
			}
			return badInput("%s: field %s: %s", name, field, ie.Msg)
		}
		return fmt.Errorf("read %s: %w", name, err)
	}

	res := eligibility.Check(h, env.Cfg.Hotline)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
		return nil
	}
	if _, err := io.WriteString(env.Stdout, res.Text()); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}
