package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestSweepQueuesRowsWithoutJobAndBuriesDiscarded: a row written without a
// job (before River, or by a store without an inserter) is queued by the
// sweep and delivered; a row whose job River discarded without the
// worker's last word (its process died on the last attempt) is marked
// dead, not sent again.
func TestSweepQueuesRowsWithoutJobAndBuriesDiscarded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Written with no inserter, more than the sweep's minute ago: one
		// more than the sweep's batch of 500.
		old := time.Now().UTC().Add(-time.Hour)
		var orphans []string
		for i := range 501 {
			m := &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: fmt.Sprint("orphan-", i), Payload: "{}", AvailableAt: old, CreatedAt: old}
			if err := db.EnqueueOnce(ctx, m); err != nil {
				t.Fatal(err)
			}
			orphans = append(orphans, m.ID)
		}
		// Queued by an insert-only client, then discarded behind the
		// worker's back, as River's rescuer does to a job past its attempts.
		inserter, err := jobs.New(db, jobs.Config{Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		db.SetJobs(inserter)
		buried := enqueue(t, db, "claim.status", 1)[0]
		backdate(t, db, buried, old)
		discard(t, db, buried)

		sent := newCounter()
		cfg := testConfig(func(_ context.Context, m models.OutboxMessage) error { sent.add(m.ID); return nil })
		cfg.Workers = map[jobs.Lane]int{jobs.Messages: 50}
		start(t, db, cfg)
		// The sweep runs at start (and every five minutes).
		waitFor(t, "the orphans delivered", delivered(db, orphans))
		waitFor(t, "the discarded one dead", func() (bool, error) {
			m, err := db.OutboxMessage(ctx, buried)
			return err == nil && m.DeadAt != nil, err
		})
		if sent.get(buried) != 0 || sent.distinct() != len(orphans) {
			t.Fatalf("sends: %d distinct, the discarded one %d times; want %d and 0", sent.distinct(), sent.get(buried), len(orphans))
		}
		for _, id := range orphans {
			if n := sent.get(id); n != 1 {
				t.Fatalf("orphan %s sent %d times, want 1", id, n)
			}
		}
	})
}

// TestPeriodicRunsOnceAtATime: a periodic job runs at start on the leader
// only, however many instances there are, and a failing run is discarded
// and counted, not retried.
func TestPeriodicRunsOnceAtATime(t *testing.T) {
	for _, dialect := range []store.Dialect{store.Postgres, store.SQLite} {
		t.Run(string(dialect), func(t *testing.T) {
			a, b := twoInstances(t, dialect)
			var ok, failing atomic.Int32
			regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
			for i, db := range []*store.DB{a, b} {
				cfg := testConfig(func(context.Context, models.OutboxMessage) error { return nil })
				cfg.Periodic = []jobs.Periodic{
					{Name: "tick", Interval: time.Hour, Run: func(context.Context) error { ok.Add(1); return nil }},
					{Name: "broken", Interval: time.Hour, Run: func(context.Context) error { failing.Add(1); return errors.New("no") }},
				}
				cfg.Metrics = regs[i]
				start(t, db, cfg)
			}
			waitFor(t, "both periodic jobs run", func() (bool, error) {
				return ok.Load() >= 1 && failing.Load() >= 1, nil
			})
			waitFor(t, "the failed run discarded", periodicState(a, "broken", "discarded"))
			if ok.Load() != 1 || failing.Load() != 1 {
				t.Fatalf("runs at start: tick %d, broken %d; want 1 each (one leader, no retry)", ok.Load(), failing.Load())
			}
			if d := counterValue(t, regs[0], "bosang_job_discards_total", "periodic") + counterValue(t, regs[1], "bosang_job_discards_total", "periodic"); d != 1 {
				t.Fatalf("periodic discards counted: %v, want 1", d)
			}
		})
	}
}

// backdate moves an outbox message's creation back, past the sweep's
// minute.
func backdate(t *testing.T, db *store.DB, outboxID string, at time.Time) {
	t.Helper()
	exec(t, db, `UPDATE outbox SET created_at = ? WHERE id = ?`, at, outboxID)
}

// discard sets the River job of an outbox message to discarded.
func discard(t *testing.T, db *store.DB, outboxID string) {
	t.Helper()
	match := "args->>'outbox_id' = ?"
	if db.Dialect() == store.SQLite {
		match = "json_extract(args, '$.outbox_id') = ?"
	}
	exec(t, db, `UPDATE river_job SET state = 'discarded', finalized_at = ? WHERE `+match, time.Now().UTC(), outboxID)
}

// TestRedriveRefusedWhileAJobIsLive: a dead message whose job was retried
// through River directly (so it is queued again) is not given a second
// job: two live jobs could send it twice at once.
func TestRedriveRefusedWhileAJobIsLive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inserter, err := jobs.New(db, jobs.Config{Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		db.SetJobs(inserter)
		id := enqueue(t, db, "claim.status", 1)[0]
		if err := db.RecordOutboxFailure(ctx, id, "gave up", time.Now(), true); err != nil {
			t.Fatal(err)
		}
		if err := db.RedriveOutbox(ctx, inserter, id); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("redrive with its job still queued: got %v, want ErrConflict", err)
		}
		discard(t, db, id)
		if err := db.RedriveOutbox(ctx, inserter, id); err != nil {
			t.Fatalf("redrive once its job is discarded: %v", err)
		}
	})
}
