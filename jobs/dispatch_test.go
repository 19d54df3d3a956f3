package jobs_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestDispatcherKeepsEachLaneToItsBacklog: the dispatcher queues a lane's
// jobs only up to Config.LaneBacklog available ones and leaves the rest of
// its messages marked; a full lane does not hold back another lane's
// messages; when the workers catch up every message is delivered once.
func TestDispatcherKeepsEachLaneToItsBacklog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		const backlog, statuses, reviews = 5, 20, 3
		release := make(chan struct{})
		sent := newCounter()
		cfg := testConfig(func(ctx context.Context, m models.OutboxMessage) error {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			sent.add(m.ID)
			return nil
		})
		cfg.LaneBacklog = backlog
		c := start(t, db, cfg)
		releaseAll := sync.OnceFunc(func() { close(release) })
		t.Cleanup(releaseAll) // before the client stops, should the test fail
		db.SetJobs(c)
		ids := marked(t, db, "claim.status", statuses)
		ids = append(ids, marked(t, db, "claim.review", reviews)...)

		// Every worker is held in Send. The messages lane's workers each
		// hold a job, and the lane fills to its backlog behind them; the
		// rest of its messages stay marked. The review lane, below its
		// backlog, takes all its messages.
		workers := int64(jobs.DefaultWorkers[jobs.Messages])
		want := map[string]int64{"running": workers, "available": backlog, "unqueued": statuses - workers - backlog}
		var got map[string]int64
		waitFor(t, fmt.Sprintf("the messages lane at %v", want), func() (bool, error) {
			var err error
			got, err = laneStates(db, jobs.Messages, "claim.status")
			if err != nil {
				return false, err
			}
			return maps.Equal(got, want), nil
		})
		// The review lane's marks go in a round of their own, which may come
		// after the messages lane settles: wait for it, then check.
		waitFor(t, "the review lane's marks dispatched", func() (bool, error) {
			marks, err := db.MarkCounts(context.Background())
			return len(marks) == 1, err
		})
		if marks, err := db.MarkCounts(context.Background()); err != nil || len(marks) != 1 || marks[0].Topic != "claim.status" {
			t.Fatalf("marks by topic: %v, %v; want claim.status's alone, the review lane's dispatched", marks, err)
		}

		releaseAll()
		waitFor(t, "every message delivered", delivered(db, ids))
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := c.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if n := sent.get(id); n != 1 {
				t.Errorf("message %s sent %d times, want once", id, n)
			}
		}
	})
}

// laneStates counts the River jobs of lane by state, and the marked
// messages of topic as state unqueued.
func laneStates(db *store.DB, lane jobs.Lane, topic string) (map[string]int64, error) {
	ctx := context.Background()
	counts, err := db.JobCounts(ctx)
	if err != nil {
		return nil, err
	}
	got := map[string]int64{}
	for _, c := range counts {
		if c.Queue == string(lane) {
			got[c.State] += c.N
		}
	}
	marks, err := db.MarkCounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range marks {
		if m.Topic == topic {
			got["unqueued"] += m.N
		}
	}
	return got, nil
}
