package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/bosang/bosang/review"
)

// adjudicateMemory is the soft memory limit of the adjudicate command
// unless GOMEMLIMIT sets one: issue 15 asks for at most 150 MB of peak RSS
// over 1,000,000 claims.
const adjudicateMemory = 100 << 20

// adjudicate runs the automatic adjudication over the submitted claims of an
// outage (or all), printing progress. Interrupting it (SIGINT/SIGTERM) stops
// after the current claim; running it again decides nothing twice because
// decided claims are no longer submitted.
func adjudicate(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("adjudicate", flag.ContinueOnError)
	outageID := fs.String("outage", "", "outage id (all outages when empty)")
	if err := fs.Parse(args); err != nil {
		return usageError("usage: bosang adjudicate [--outage ID]")
	}
	if getenv("GOMEMLIMIT") == "" {
		// Pages in flight are garbage soon after they are written; without
		// a limit the heap doubles between collections.
		debug.SetMemoryLimit(adjudicateMemory)
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	report := func(p review.Progress) {
		rate := float64(p.Seen) / max(time.Since(start).Seconds(), 0.001)
		fmt.Fprintf(out, "seen %d  approved %d  sampled %d  manual %d  skipped %d  (%.0f claims/s)\n",
			p.Seen, p.Approved, p.Sampled, p.Manual, p.Skipped, rate)
	}
	p, err := a.review.Adjudicate(ctx, *outageID, report)
	fmt.Fprintf(out, "done in %s: ", time.Since(start).Round(time.Millisecond))
	report(p)
	if ctx.Err() != nil {
		fmt.Fprintln(out, "stopped; run again to continue")
		return nil
	}
	return err
}
