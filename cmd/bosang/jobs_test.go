package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
)

// TestServeRunnerWorksSeededJobs: the demo data's outbox (claim messages,
// review jobs) is queued by `bosang seed`, an insert-only River client;
// the runner serve starts works all of it through the real services:
// every message delivered, none dead.
func TestServeRunnerWorksSeededJobs(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		a := openForRunner(t, getenv)
		pending := countOutbox(t, a, "delivered_at IS NULL")
		if pending == 0 {
			t.Fatal("seeding queued no message; the test would prove nothing")
		}
		r := startRunner(t, a)
		drainCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		// The periodic jobs run once at start (supplement reminders,
		// overdue-notice alerts) and may queue messages of their own after
		// a drain found the lanes empty: drain until nothing is left.
		for {
			if err := r.Drain(drainCtx); err != nil {
				t.Fatalf("draining %d seeded messages: %v", pending, err)
			}
			left, dead := countOutbox(t, a, "delivered_at IS NULL"), countOutbox(t, a, "dead_at IS NOT NULL")
			if dead != 0 {
				t.Fatalf("after the runner drained %d messages: %d dead; want 0", pending, dead)
			}
			if left == 0 {
				break
			}
			select {
			case <-drainCtx.Done():
				t.Fatalf("after the runner drained %d messages: %d undelivered with no job left to run them; want 0", pending, left)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// TestJobsDeadAndRetry: `bosang jobs dead` lists a message whose job used
// up its attempts, `bosang jobs retry ID` queues it again, and the runner
// then delivers it.
func TestJobsDeadAndRetry(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		a := openForRunner(t, getenv)
		now := time.Now().UTC()
		m := &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: "dead-one", Payload: "{}", AvailableAt: now, CreatedAt: now}
		if err := a.db.EnqueueOnce(ctx, m); err != nil {
			t.Fatal(err)
		}
		// What the worker and River do on the last failed attempt.
		if err := a.db.RecordOutboxFailure(ctx, m.ID, "550 no such mailbox", now, true); err != nil {
			t.Fatal(err)
		}
		sqlDB, _ := a.db.SQL()
		if _, err := sqlDB.ExecContext(ctx, "UPDATE river_job SET state = 'discarded', finalized_at = created_at WHERE kind = 'outbox_message'"); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"jobs", "dead"}, getenv, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), m.ID) || !strings.Contains(out.String(), "550 no such mailbox") || !strings.Contains(out.String(), "1 dead") {
			t.Fatalf("jobs dead printed %q, want the message, its error and 1 dead", out.String())
		}
		out.Reset()
		if err := run(ctx, []string{"jobs", "retry", m.ID}, getenv, &out); err != nil || !strings.Contains(out.String(), "queued "+m.ID) {
			t.Fatalf("jobs retry: %v, printed %q", err, out.String())
		}
		if err := run(ctx, []string{"jobs", "retry", m.ID}, getenv, &out); err == nil {
			t.Fatal("retrying a message that is no longer dead succeeded")
		}
		out.Reset()
		if err := run(ctx, []string{"jobs", "dead"}, getenv, &out); err != nil || !strings.Contains(out.String(), "0 dead") {
			t.Fatalf("jobs dead after the retry: %v, printed %q", err, out.String())
		}
		r := startRunner(t, a)
		drainCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := r.Drain(drainCtx); err != nil {
			t.Fatal(err)
		}
		if got, err := a.db.OutboxMessage(ctx, m.ID); err != nil || got.DeliveredAt == nil {
			t.Fatalf("the retried message: %+v (%v), want delivered", got, err)
		}
	})
}

// openForRunner opens the app, closed in Cleanup after any runner started
// later has stopped.
func openForRunner(t *testing.T, getenv func(string) string) *app {
	t.Helper()
	a, err := open(context.Background(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// startRunner starts the runner serve starts, stopped in Cleanup.
func startRunner(t *testing.T, a *app) *jobs.Client {
	t.Helper()
	r, err := a.newRunner()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("stop runner: %v", err)
		}
	})
	return r
}

func countOutbox(t *testing.T, a *app, where string) int {
	t.Helper()
	sqlDB, err := a.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRowContext(context.Background(), "SELECT count(*) FROM outbox WHERE "+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
