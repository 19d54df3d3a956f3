package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestStopLetsRunningJobFinish: Stop waits for a running send, which then
// marks its message delivered; when Stop's deadline passes first, the
// send's context ends, the attempt is recorded as failed and the message
// stays for the next start.
func TestStopLetsRunningJobFinish(t *testing.T) {
	for _, tc := range []struct {
		name      string
		release   bool // the send finishes while Stop waits
		delivered bool
	}{
		{"send finishes within the deadline", true, true},
		{"deadline passes first", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				entered, release := make(chan struct{}), make(chan struct{})
				c, err := jobs.New(db, testConfig(func(ctx context.Context, m models.OutboxMessage) error {
					close(entered)
					select {
					case <-release:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				}))
				if err != nil {
					t.Fatal(err)
				}
				db.SetJobs(c)
				if err := c.Start(context.Background()); err != nil {
					t.Fatal(err)
				}
				id := enqueue(t, db, "claim.status", 1)[0]
				<-entered
				deadline := waitLimit
				if !tc.release {
					deadline = 200 * time.Millisecond
				}
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				stopped := make(chan error, 1)
				go func() { stopped <- c.Stop(ctx) }()
				if tc.release {
					close(release)
				}
				err = <-stopped
				if tc.release && err != nil || !tc.release && !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Stop: got %v", err)
				}
				m := message(t, db, id)
				if got := m.DeliveredAt != nil; got != tc.delivered {
					t.Fatalf("delivered: got %v, want %v (row %+v)", got, tc.delivered, m)
				}
				if !tc.delivered && (m.Attempts != 1 || m.DeadAt != nil) {
					t.Fatalf("cut short: row %+v, want 1 failed attempt, not dead", m)
				}
			})
		})
	}
}
