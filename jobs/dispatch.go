package jobs

import (
	"context"
	"time"
)

// The dispatcher queues the River jobs of outbox messages a filing marked
// instead of queueing them itself (store.DispatchOutbox), so the statement
// a claimant waits on writes no River row. Every working client runs one;
// the marks are taken FOR UPDATE SKIP LOCKED, so instances share the work
// and never queue a message twice.
const (
	// dispatchBatch is how many marks one transaction takes.
	dispatchBatch = 1000
	// dispatchEvery is how often a dispatcher looks for marks it was not
	// woken for: those of filings on other instances, or written inside a
	// caller's transaction.
	dispatchEvery = time.Second
	// dispatchGap is the pause after a round, in which a burst of filings
	// gathers into the next batch instead of one transaction each.
	dispatchGap = 20 * time.Millisecond
)

// WakeDispatch tells the dispatcher that a committed filing left marks
// (store.Waker); it never blocks.
func (c *Client) WakeDispatch() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// startDispatch starts the dispatcher's loop; endDispatch stops it and
// waits until it has returned.
func (c *Client) startDispatch() {
	ctx, cancel := context.WithCancel(context.Background())
	c.stopDispatch, c.dispatched = cancel, make(chan struct{})
	go func() {
		defer close(c.dispatched)
		c.dispatchLoop(ctx)
	}()
}

func (c *Client) endDispatch() {
	if c.stopDispatch == nil {
		return
	}
	c.stopDispatch()
	<-c.dispatched
}

// dispatchLoop runs a round when woken and every dispatchEvery; a round
// queues batches until one comes back short.
func (c *Client) dispatchLoop(ctx context.Context) {
	tick := time.NewTicker(dispatchEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-tick.C:
		}
		for {
			n, err := c.db.DispatchOutbox(ctx, c, dispatchBatch)
			if err != nil {
				if ctx.Err() == nil {
					c.log.ErrorContext(ctx, "outbox dispatch failed; the next round retries", "err", err)
				}
				break
			}
			if n < dispatchBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(dispatchGap):
		}
	}
}
