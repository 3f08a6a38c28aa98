package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func init() {
	register(command{name: "region", usage: "region list|show ID [--date D]|import FILE|export ID: region profiles (standards with effective dates) in the database", run: runRegion})
}

const regionUsage = `usage: safetynet region COMMAND

  list                       every region and the day its current figures took effect
  show ID [--date YYYY-MM-DD] the profile in force that day (default today), with sources
  import FILE|-              store a profile document, or a JSON array of them, each with
                             "effective_from"; all or none
  export ID                  every version of the region as a JSON array (import reads it)
`

func runRegion(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stderr, regionUsage)
		if len(args) == 0 {
			return badInput("region: name a subcommand")
		}
		return nil
	}
	pool, err := env.DB(ctx)
	if err != nil {
		return err
	}
	store := eligibility.NewStore(pool)
	// Commands work on a database migrated but not yet seeded, too.
	if err := store.Seed(ctx); err != nil {
		return err
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		vs, err := store.Versions(ctx, "")
		if err != nil {
			return err
		}
		today, _ := eligibility.DayAsked("", env.Cfg.TZ)
		set, err := store.InForce(ctx, today)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, v := range vs {
			count[v.ID]++
		}
		for _, id := range set.IDs() {
			v, err := store.Version(ctx, id, today)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%-16s %s  from %s  (%d versions)  rural %g  urban %g yuan/month\n", id, v.Name,
				v.EffectiveFrom.Format(time.DateOnly), count[id], v.DibaoStandardMonthly.Rural, v.DibaoStandardMonthly.Urban)
		}
		return nil
	case "show":
		fs := flag.NewFlagSet("region show", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		date := fs.String("date", "", "the day, YYYY-MM-DD (default today in SAFETYNET_TZ)")
		flags, pos := flagArgs(rest, nil)
		if err := fs.Parse(flags); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return badInput("%v", err)
		}
		if len(pos) != 1 {
			return badInput("region show: give one region ID")
		}
		day, err := eligibility.DayAsked(*date, env.Cfg.TZ)
		if err != nil {
			return badInput("--%v", err)
		}
		v, err := store.Version(ctx, pos[0], day)
		if err != nil {
			return regionErr(err)
		}
		return writeJSONOut(env.Stdout, v.Document())
	case "export":
		if len(rest) != 1 {
			return badInput("region export: give one region ID")
		}
		vs, err := store.Versions(ctx, rest[0])
		if err != nil {
			return regionErr(err)
		}
		docs := make([]map[string]any, len(vs))
		for i, v := range vs {
			docs[i] = v.Document()
		}
		return writeJSONOut(env.Stdout, docs)
	case "import":
		if len(rest) != 1 {
			return badInput("region import: give one FILE (or - for standard input)")
		}
		var r io.Reader = env.Stdin
		if rest[0] != "-" {
			f, err := os.Open(rest[0])
			if err != nil {
				return badInput("FILE: %v", err)
			}
			defer f.Close()
			r = f
		}
		data, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return fmt.Errorf("read %s: %w", rest[0], err)
		}
		n, err := store.Import(ctx, data, "cli")
		if err != nil {
			return regionErr(err)
		}
		fmt.Fprintf(env.Stdout, "stored %d region profile version(s)\n", n)
		return nil
	default:
		fmt.Fprint(env.Stderr, regionUsage)
		return badInput("region: unknown subcommand %q", sub)
	}
}

func regionErr(err error) error {
	var de *eligibility.DocumentError
	if errors.As(err, &de) || errors.Is(err, eligibility.ErrUnknownRegion) || errors.Is(err, eligibility.ErrNoProfileInForce) {
		return badInput("%v", err)
	}
	return err
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
