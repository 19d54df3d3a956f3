// Command bosang-load prepares bulk data for Bosang's benchmarks and drives
// load against a running portal.
//
//	bosang-load prepare --claims 100000   bulk-load claimants, outages and claims (PostgreSQL, COPY)
//	bosang-load prepare --claims 1000000 --monetary --data-dir ./data
//	                                      the same with sealed payout accounts and required evidence
//	bosang-load run --target http://127.0.0.1:8080 --scenarios submit,public,status,mix --concurrency 64
//	                                      drive the portal and a raw gin+pgx baseline; print figures and ratios
//
// It reads BOSANG_DATABASE_URL (a postgres:// URL) and only ever talks to the
// database and loopback servers given to it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
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
		opt := prepareFlags(fs)
		fs.Parse(os.Args[2:])
		err = prepare(ctx, os.Getenv("BOSANG_DATABASE_URL"), *n, opt, os.Stdout)
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		o := runOptions{DSN: os.Getenv("BOSANG_DATABASE_URL")}
		scen := fs.String("scenarios", "submit,public,status,mix", "comma-separated: submit, public, status, mix")
		fs.StringVar(&o.Target, "target", "http://127.0.0.1:8080", "the portal (loopback only)")
		fs.IntVar(&o.Concurrency, "concurrency", 64, "connections (closed loop)")
		fs.IntVar(&o.Rate, "rate", 0, "requests per second (open loop; 0 = closed loop)")
		fs.DurationVar(&o.Duration, "duration", 15*time.Second, "per scenario and side")
		fs.Parse(os.Args[2:])
		o.Scenarios = strings.Split(*scen, ",")
		if err = loopbackOnly(o.Target); err == nil {
			err = runLoad(ctx, o, os.Stdout)
		}
	case "pagesize":
		fs := flag.NewFlagSet("pagesize", flag.ExitOnError)
		target := fs.String("target", "http://127.0.0.1:8080", "the portal (loopback only)")
		fs.Parse(os.Args[2:])
		if err = loopbackOnly(*target); err == nil {
			err = pageSize(ctx, os.Getenv("BOSANG_DATABASE_URL"), *target, os.Stdout)
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bosang-load:", err)
		os.Exit(1)
	}
}

// loopbackOnly refuses targets that are not on this machine: load is only
// ever sent to loopback addresses.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	switch h := u.Hostname(); {
	case h == "localhost", h == "::1", strings.HasPrefix(h, "127."):
		return nil
	}
	return fmt.Errorf("target %s is not a loopback address", target)
}
