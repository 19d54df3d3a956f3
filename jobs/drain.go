package jobs

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Drain waits until no job of the given lanes (the three outbox lanes
// when none are given) is waiting, scheduled, running or due for a retry,
// and no message waits for the dispatcher to queue its job (of any lane),
// polling every 20 ms, and returns ctx's error if that does not happen
// before ctx ends. Tests and tools use it to wait for a working client to
// finish what was queued; it counts jobs queued by any instance.
func (c *Client) Drain(ctx context.Context, lanes ...Lane) error {
	if len(lanes) == 0 {
		lanes = []Lane{Messages, Review, Batch}
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		// Marks first: the dispatcher turns a mark into a job in one
		// transaction, so a message is counted in one of the two reads
		// whichever side of its commit the reads fall.
		unqueued, err := c.db.UnqueuedOutbox(ctx)
		if err != nil {
			return err
		}
		counts, err := c.db.JobCounts(ctx)
		if err != nil {
			return err
		}
		busy := int(unqueued)
		for _, n := range counts {
			if slices.Contains(lanes, Lane(n.Queue)) && n.State != "discarded" && n.State != "cancelled" {
				busy += int(n.N)
			}
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("jobs: %d still queued or running: %w", busy, ctx.Err())
		case <-t.C:
		}
	}
}
