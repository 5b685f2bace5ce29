// Command hallqd runs one service hall: tickets, calls, screens, devices and
// the durable record. With no --config it runs a demo hall.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	_ "time/tzdata" // hall time zones on machines without tzdata

	"github.com/hallq/hallq/config"
)

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signalContext()
	defer stop()
	os.Exit(exitCode(run(ctx, os.Args[1:])))
}

// exitCode prints err and maps it to the exit status: 2 for a bad config or
// command line, 1 for anything else.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "hallqd:", err)
	var ce *config.Error
	var ue *usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

// run dispatches the subcommands.
func run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, rest := args[0], args[1:]
		switch cmd {
		case "run":
			return runDaemon(ctx, rest)
		case "hash-password":
			return hashPassword(rest)
		default:
			if fn := subcommands[cmd]; fn != nil {
				return fn(ctx, rest)
			}
			return &usageError{fmt.Sprintf("unknown command %q (try: run, hash-password%s)", cmd, subcommandNames())}
		}
	}
	return runDaemon(ctx, args)
}

// subcommands are added by other files of this command (acl, restore).
var subcommands = map[string]func(ctx context.Context, args []string) error{}

func subcommandNames() string {
	s := ""
	for name := range subcommands {
		s += ", " + name
	}
	return s
}
