// Command bosang-chaos checks that Bosang never loses or duplicates an
// acknowledged claim while its processes are SIGKILLed and its database is
// stopped (issue 6, "Crash safety"; `make chaos`).
//
// It creates a fresh PostgreSQL database (dropped at the end unless -keep),
// runs `bosang migrate`, seeds claimants and outages, starts `bosang serve`
// children on loopback ports and files claims from concurrent clients that
// retry with their Idempotency-Key, then reconciles against the database:
//
//	phase 1  one instance, SIGKILLed -kills times at random moments
//	phase 2  two instances sharing the database, clients failing over, one SIGKILLed -kills times;
//	         with -s3, they also share an S3 bucket for evidence: files are uploaded through
//	         either while it is being killed, and every acknowledged one must download,
//	         byte for byte, through the other
//	phase 3  PostgreSQL stopped for 10 s under load (pg_ctlcluster; -pg-stop=false skips it)
//
// After each phase it also counts the outbox's messages and, from the
// portals' logs (the log sender writes one line per send), how often each
// was sent: a message sent twice during a kill phase, or a dead message,
// fails the run; during the database stop a send whose delivered mark was
// lost is sent again (at least once) and only reported.
//
// It only talks to loopback addresses and the given PostgreSQL. Exit status 1
// means a lost or duplicated claim, a key left unanswered, a message sent
// twice, a hang, or a failed recovery; 2 a setup error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	cfg := DefaultConfig()
	if v := os.Getenv("BOSANG_TEST_POSTGRES_URL"); v != "" {
		cfg.AdminDSN = v
	}
	phases := "1,2,3"
	flag.StringVar(&cfg.Bosang, "bosang", "bosang", "path of the built bosang binary")
	flag.StringVar(&cfg.AdminDSN, "db", cfg.AdminDSN, "PostgreSQL URL on which to create the fresh database (default $BOSANG_TEST_POSTGRES_URL)")
	flag.IntVar(&cfg.Kills, "kills", cfg.Kills, "SIGKILLs per kill phase")
	flag.StringVar(&phases, "phases", phases, "phases to run, comma-separated (1, 2, 3)")
	flag.BoolVar(&cfg.PGStop, "pg-stop", cfg.PGStop, "run phase 3: stop this machine's PostgreSQL under load")
	flag.DurationVar(&cfg.PGDown, "pg-down", cfg.PGDown, "how long PostgreSQL stays stopped in phase 3")
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent client goroutines")
	flag.IntVar(&cfg.Claimants, "claimants", cfg.Claimants, "claimants to create")
	flag.IntVar(&cfg.Outages, "outages", cfg.Outages, "outages to create (claimants × outages distinct claims are possible)")
	flag.DurationVar(&cfg.Drain, "drain", cfg.Drain, "after the load stops, how long retried keys may take to get their answer (the portal takes over a crashed request's key after 60 s)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the database and the work directory")
	flag.StringVar(&cfg.WorkDir, "work", "", "directory for portal logs and data (default: a temp dir, removed on success)")
	cfg.S3 = S3{Endpoint: os.Getenv("BOSANG_TEST_S3_ENDPOINT"), AccessKey: os.Getenv("BOSANG_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("BOSANG_TEST_S3_SECRET_KEY")}
	flag.StringVar(&cfg.S3.Endpoint, "s3", cfg.S3.Endpoint, "S3 server (host:port) the instances share for evidence; phase 2 then checks evidence across instances (default $BOSANG_TEST_S3_ENDPOINT, with $BOSANG_TEST_S3_ACCESS_KEY and $BOSANG_TEST_S3_SECRET_KEY)")
	flag.Parse()
	cfg.Phases = nil
	for _, p := range strings.Split(phases, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bosang-chaos: -phases:", err)
			os.Exit(2)
		}
		cfg.Phases = append(cfg.Phases, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bosang-chaos:", err)
		os.Exit(2)
	}
	if rep.Failed() {
		fmt.Println("\nbosang-chaos: FAIL")
		os.Exit(1)
	}
	fmt.Println("\nbosang-chaos: PASS (0 lost, 0 duplicated)")
}
