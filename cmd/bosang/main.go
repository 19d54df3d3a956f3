// Command bosang runs the Bosang portal and its administrative tasks.
//
//	bosang [serve]                 run the portal (default)
//	bosang migrate [up|status]     apply or list database migrations
//	bosang user create --email E --password P --name N --role R
//	bosang user reset-mfa --email E    remove a staff member's second factor (lost phone)
//	bosang seed --demo             create demo accounts (and data)
//	bosang adjudicate [--outage ID] approve what the policy allows, with progress
//	bosang audit verify|seal|checkpoint [--export FILE]   the keyed chain and its checkpoint file
//	bosang jobs dead [--limit N] | retry ID   dead outbox messages, and queueing one again
//	bosang healthcheck             exit 0 if the local portal answers /healthz
//	bosang version
//	bosang help [CMD]              usage; also bosang --help and bosang CMD --help
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		slog.Error("bosang failed", "err", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line.
type usageError string

func (u usageError) Error() string { return string(u) }

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if helpRequested(cmd, args, out) {
		return nil
	}
	switch cmd {
	case "serve":
		return serve(ctx, getenv)
	case "migrate":
		return migrate(ctx, args, getenv, out)
	case "user":
		return userCmd(ctx, args, getenv, out)
	case "audit":
		return auditCmd(ctx, args, getenv, out)
	case "seed":
		return seed(ctx, args, getenv, out)
	case "adjudicate":
		return adjudicate(ctx, args, getenv, out)
	case "jobs":
		return jobsCmd(ctx, args, getenv, out)
	case "healthcheck":
		return healthcheck(ctx, getenv)
	case "keys":
		return keysCmd(args, getenv, out)
	case "version":
		fmt.Fprintln(out, "bosang", version)
		return nil
	}
	return usageError("unknown command " + cmd + "; use serve, migrate, user, audit, jobs, seed, adjudicate, keys, healthcheck, version or help")
}
