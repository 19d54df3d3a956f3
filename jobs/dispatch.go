package jobs

import (
	"context"
	"time"
)

// The dispatcher queues the River jobs of outbox messages a filing marked
// instead of queueing them itself (store.DispatchOutbox), so the statement
// a claimant waits on writes no River row. Every working client runs one;
// the marks are taken FOR UPDATE SKIP LOCKED, so instances share the work
// and never queue a message twice. It keeps each lane's River queue at
// most Config.LaneBacklog available jobs deep: the rest of a burst waits
// as marks, and its jobs are written as the workers clear the lane rather
// than all during the burst.
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

// dispatchLoop runs a round when woken and every dispatchEvery. After a
// round that left marks because their lanes were full, wakes are ignored
// until the next tick: the filings of a burst would otherwise wake a
// round every dispatchGap that finds no room.
func (c *Client) dispatchLoop(ctx context.Context) {
	tick := time.NewTicker(dispatchEvery)
	defer tick.Stop()
	full := false
	for {
		wake := c.wake
		if full {
			wake = nil // a nil channel never delivers: wait for the tick
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
		var err error
		if full, err = c.dispatchRound(ctx); err != nil && ctx.Err() == nil {
			c.log.ErrorContext(ctx, "outbox dispatch failed; the next round retries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(dispatchGap):
		}
	}
}

// dispatchRound queues the jobs of marked messages, lane by lane, in
// batches of at most the lane's room: what it lacks of Config.LaneBacklog
// available jobs. It goes on until every lane is either out of marks or
// full, and reports whether marks were left in a full lane.
func (c *Client) dispatchRound(ctx context.Context) (bool, error) {
	for {
		lanes, full, err := c.laneRooms(ctx)
		if err != nil {
			return false, err
		}
		more := false
		for _, l := range lanes {
			limit := min(dispatchBatch, l.room)
			n, err := c.db.DispatchOutbox(ctx, c, limit, l.topics...)
			if err != nil {
				return false, err
			}
			more = more || n == limit
		}
		if !more {
			return full, nil
		}
	}
}

// laneRoom is a lane with room for more available jobs and marked
// messages to fill it with.
type laneRoom struct {
	topics []string
	room   int
}

// laneRooms lists, in the order of their first topic, the lanes of marked
// messages that hold fewer than Config.LaneBacklog available jobs, and
// reports whether a marked topic's lane holds that many.
func (c *Client) laneRooms(ctx context.Context) (rooms []laneRoom, full bool, err error) {
	marked, err := c.db.MarkedTopics(ctx)
	if err != nil {
		return nil, false, err
	}
	at := map[Lane]int{} // index in rooms, or -1 for a full lane
	for _, t := range marked {
		l := c.laneOf(t)
		i, seen := at[l]
		if !seen {
			n, err := c.db.AvailableJobs(ctx, string(l), c.cfg.LaneBacklog)
			if err != nil {
				return nil, false, err
			}
			i = -1
			if n < c.cfg.LaneBacklog {
				i = len(rooms)
				rooms = append(rooms, laneRoom{room: c.cfg.LaneBacklog - n})
			}
			at[l] = i
		}
		if i < 0 {
			full = true
			continue
		}
		rooms[i].topics = append(rooms[i].topics, t)
	}
	return rooms, full, nil
}
