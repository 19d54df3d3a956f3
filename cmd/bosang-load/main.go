// Command bosang-load prepares bulk data for Bosang's benchmarks and drives
// load against a running portal.
//
//	bosang-load prepare --claims 100000   bulk-load claimants, outages and claims (PostgreSQL, COPY)
//
// It reads BOSANG_DATABASE_URL (a postgres:// URL) and only ever talks to the
// database and loopback servers given to it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bosang-load prepare --claims N")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		fs := flag.NewFlagSet("prepare", flag.ExitOnError)
		n := fs.Int("claims", 100_000, "claims to create")
		fs.Parse(os.Args[2:])
		err = prepare(ctx, os.Getenv("BOSANG_DATABASE_URL"), *n, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bosang-load:", err)
		os.Exit(1)
	}
}
