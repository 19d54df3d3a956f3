package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestFailingSendRetriedThenDead: a send that always fails is retried
// MaxAttempts times in all, then the job is discarded and its message is
// dead, listed, counted in the metrics; redriven with a working sender it
// is delivered.
func TestFailingSendRetriedThenDead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sent := newCounter()
		var broken atomicBool
		broken.set(true)
		cfg := testConfig(func(_ context.Context, m models.OutboxMessage) error {
			sent.add(m.ID)
			if broken.get() {
				return errors.New("550 mailbox unavailable")
			}
			return nil
		})
		cfg.MaxAttempts = 3
		reg := prometheus.NewRegistry()
		cfg.Metrics = reg
		c := start(t, db, cfg)
		db.SetJobs(c)
		id := enqueue(t, db, "claim.status", 1)[0]
		waitFor(t, "the message dead", func() (bool, error) {
			m, err := db.OutboxMessage(ctx, id)
			return err == nil && m.DeadAt != nil, err
		})
		m := message(t, db, id)
		if sent.get(id) != 3 || m.Attempts != 3 || !strings.Contains(m.LastError, "550") || m.DeliveredAt != nil {
			t.Fatalf("dead message: sent %d times, row %+v; want 3 sends, 3 attempts, the 550, undelivered", sent.get(id), m)
		}
		if dead, err := db.DeadOutbox(ctx, 10); err != nil || len(dead) != 1 || dead[0].ID != id {
			t.Fatalf("dead list: got %v (%v)", dead, err)
		}
		waitFor(t, "the job discarded", jobState(db, id, "discarded"))
		if f := counterValue(t, reg, "bosang_job_failures_total", "outbox_message"); f != 3 {
			t.Errorf("failures metric: got %v, want 3", f)
		}
		if d := counterValue(t, reg, "bosang_job_discards_total", "outbox_message"); d != 1 {
			t.Errorf("discards metric: got %v, want 1", d)
		}

		broken.set(false)
		if err := db.RedriveOutbox(ctx, c, id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the redriven message delivered", delivered(db, []string{id}))
		if m := message(t, db, id); m.DeadAt != nil || sent.get(id) != 4 {
			t.Fatalf("redriven: row %+v after %d sends, want alive and 4 sends", m, sent.get(id))
		}
	})
}

// TestRolledBackJobNeverRuns: a job inserted in a transaction that rolls
// back never runs; the committed one next to it does.
func TestRolledBackJobNeverRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sent := newCounter()
		c := start(t, db, testConfig(func(_ context.Context, m models.OutboxMessage) error { sent.add(m.ID); return nil }))
		db.SetJobs(c)
		now := time.Now().UTC()
		rolled := &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: "rolled", Payload: "{}", AvailableAt: now, CreatedAt: now}
		err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.Claims().Enqueue(ctx, rolled); err != nil {
				return err
			}
			return errors.New("the change failed")
		})
		if err == nil {
			t.Fatal("the transaction committed")
		}
		committed := enqueue(t, db, "claim.status", 1)
		waitFor(t, "the committed message delivered", delivered(db, committed))
		if n := sent.get(rolled.ID); n != 0 {
			t.Fatalf("the rolled-back message was sent %d times", n)
		}
		if att := jobAttempts(t, db, []string{rolled.ID}); len(att) != 1 {
			t.Fatalf("River jobs: got %v, want only the committed message's", att)
		}
	})
}

// TestNewRefusesTimeoutAtRescue: a lane timeout at or above RescueAfter
// would let River hand a running job to a second instance (the old
// dispatcher's lease bug), so such a configuration does not start.
func TestNewRefusesTimeoutAtRescue(t *testing.T) {
	db := dbtest.NewSQLite(t)
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		wantErr bool
	}{
		{"timeout 1s below rescue", 9 * time.Second, false},
		{"timeout equal to rescue", 10 * time.Second, true},
		{"timeout above rescue", time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(func(context.Context, models.OutboxMessage) error { return nil })
			cfg.RescueAfter = 10 * time.Second
			cfg.Timeouts = map[jobs.Lane]time.Duration{jobs.Messages: time.Second, jobs.Review: time.Second, jobs.Batch: tc.timeout, jobs.PeriodicLane: time.Second}
			_, err := jobs.New(db, cfg)
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("got %v, want an error: %v", err, tc.wantErr)
			}
		})
	}
}
