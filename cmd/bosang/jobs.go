package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

const jobsUsage = "usage: bosang jobs dead [--limit N] | retry ID"

// jobsCmd lists dead outbox messages (their jobs used up their attempts)
// and queues one again.
func jobsCmd(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] != "dead" && args[0] != "retry" {
		return usageError(jobsUsage)
	}
	fs := flag.NewFlagSet("jobs "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	limit := fs.Int("limit", 100, "list at most N messages")
	if err := fs.Parse(args[1:]); err != nil || *limit < 1 {
		return usageError(jobsUsage)
	}
	if args[0] == "dead" && fs.NArg() != 0 || args[0] == "retry" && fs.NArg() != 1 {
		return usageError(jobsUsage)
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "retry" {
		id := fs.Arg(0)
		if err := a.db.RedriveOutbox(ctx, a.jobs, id); err != nil {
			return err
		}
		fmt.Fprintf(out, "queued %s again\n", id)
		return nil
	}
	dead, err := a.db.DeadOutbox(ctx, *limit)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTOPIC\tDEDUPE ID\tATTEMPTS\tDEAD AT\tLAST ERROR")
	for _, m := range dead {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Topic, m.DedupeID, m.Attempts, m.DeadAt.UTC().Format(time.RFC3339),
			strings.ReplaceAll(m.LastError, "\n", " "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d dead\n", len(dead))
	return nil
}
