// Command safetynet is the one binary of the service: each subcommand lives
// in its own file and registers itself here, so main only parses and wires.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/db"
)

// command is one subcommand. Nested commands ("outreach import") register
// under their first word and dispatch the rest themselves.
type command struct {
	name  string
	usage string // one line for the help listing
	run   func(ctx context.Context, env *Env, args []string) error
	// personalData marks commands that store or read ID numbers and phones:
	// on a local set-up they get the development data key when none is set.
	personalData bool
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("safetynet: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks bad input or usage: the process exits with status 2 and
// the message, which names the field, line or flag, goes to standard error.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// badInput returns an error that makes the command exit with status 2.
func badInput(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Env is what every command gets: its streams, the settings and the database
// opened on first use, so commands that need no database never touch one.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Cfg    config.Config
	Log    *slog.Logger

	poolOnce sync.Once
	pool     *pgxpool.Pool
	poolErr  error

	closers []func() // what the command opened besides the pool
}

// DB opens the pool on first use. The caller does not close it; main does.
func (e *Env) DB(ctx context.Context) (*pgxpool.Pool, error) {
	e.poolOnce.Do(func() {
		e.pool, e.poolErr = db.Open(ctx, e.Cfg.DatabaseURL)
	})
	return e.pool, e.poolErr
}

// onClose runs f when the command ends, before the pool closes.
func (e *Env) onClose(f func()) { e.closers = append(e.closers, f) }

func (e *Env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	if e.pool != nil {
		e.pool.Close()
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "safetynet: unknown command %q\n\n", args[0])
		printUsage(stderr)
		return 2
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "safetynet: %v\n", err)
		return 2
	}
	if cmd.personalData && len(cfg.DataKey) == 0 && !cfg.Production() {
		dir, _ := os.UserConfigDir()
		created, err := cfg.EnsureDataKey(dir)
		if err != nil {
			fmt.Fprintf(stderr, "safetynet: %v\n", err)
			return 1
		}
		if created {
			fmt.Fprintf(stderr, "safetynet: SAFETYNET_DATA_KEY is not set: made a development data key in %s (0600), used from now on; "+
				"set SAFETYNET_DATA_KEY in production\n", cfg.DataKeyFile)
		}
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Cfg: cfg, Log: logger}
	defer env.close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err = cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(*usageError)):
		fmt.Fprintf(stderr, "safetynet %s: %v\n", cmd.name, err)
		return 2
	default:
		fmt.Fprintf(stderr, "safetynet %s: %v\n", cmd.name, err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: safetynet COMMAND [flags] [args]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Settings come from the environment; see README.md.")
}

// flagArgs separates flags from positional arguments so that flags may
// follow them ("check file.json --json"), as people type them.
func flagArgs(args []string, boolFlags map[string]bool) (flags, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return flags, rest
}
