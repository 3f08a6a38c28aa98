package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/safetynet/safetynet/console"
)

func init() {
	register(command{name: "user", usage: "staff accounts of the console: user add --name N --role admin|bureau|hotline (password on stdin)", run: runUser})
}

const userUsage = `usage: safetynet user add --name NAME --role admin|bureau|hotline

Adds a staff account of the console. The password is read from standard
input: typed twice without echo on a terminal, else the first line
(echo "$PASSWORD" | safetynet user add ...). At least 10 characters.
`

func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(env.Stderr, userUsage)
		return nil
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprint(env.Stderr, userUsage)
		return badInput("usage: safetynet user add --name NAME --role admin|bureau|hotline (the password is read from standard input)")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, userUsage)
		fmt.Fprintln(env.Stderr)
		fs.PrintDefaults()
	}
	name := fs.String("name", "", "the staff member's sign-in name")
	roleFlag := fs.String("role", "", "admin, bureau or hotline")
	flags, rest := flagArgs(args[1:], nil)
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // asked for: the usage is printed, nothing is wrong
		}
		return badInput("%v", err)
	}
	if len(rest) > 0 {
		return badInput("user add takes no positional arguments, got %q", rest[0])
	}
	if strings.TrimSpace(*name) == "" {
		return badInput("--name: the sign-in name is required")
	}
	role, err := console.ParseRole(*roleFlag)
	if err != nil {
		return badInput("--role: %q is not one of admin, bureau, hotline", *roleFlag)
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	pool, err := env.DB(ctx)
	if err != nil {
		return err
	}
	u, err := console.AddUser(ctx, pool, *name, role, password)
	switch {
	case errors.Is(err, console.ErrUserExists), errors.Is(err, console.ErrWeakPassword), errors.Is(err, console.ErrBadName):
		return badInput("%v", err)
	case err != nil:
		return err
	}
	fmt.Fprintf(env.Stdout, "added %s (%s), id %d\n", u.Name, u.Role, u.ID)
	return nil
}

// readPassword takes the password from standard input: prompted for twice
// with echo off on a terminal, else the first line (for scripts).
// golang.org/x/term, not raw ioctls, so the binary builds on macOS too.
func readPassword(env *Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(env.Stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(env.Stderr)
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if len(b) == 0 {
				return "", badInput("password: none given")
			}
			return string(b), nil
		}
		p1, err := ask("password: ")
		if err != nil {
			return "", err
		}
		p2, err := ask("again: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", badInput("password: the two entries differ")
		}
		return p1, nil
	}
	return readLine(bufio.NewReader(env.Stdin))
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", badInput("password: none given on standard input")
	}
	return line, nil
}
