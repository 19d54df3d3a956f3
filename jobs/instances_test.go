package jobs_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// twoInstances opens one database twice, as two processes of the portal
// would: two connection pools on one PostgreSQL database, or on one SQLite
// file.
func twoInstances(t *testing.T, dialect store.Dialect) (*store.DB, *store.DB) {
	t.Helper()
	var dsn string
	if dialect == store.Postgres {
		var drop func()
		dsn, drop = dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
	} else {
		dsn = filepath.Join(t.TempDir(), "bosang.db")
	}
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn, store.WithClock(time.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if _, err := a.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestSlowSendsDeliveredOnceByTwoInstances reproduces issue 13's duplicate
// sends against River: the old dispatcher leased a batch for one minute, a
// batch of slow sends outlived the lease, a second dispatcher took it and
// 10 of 10 messages went out twice. Here two instances work one database
// and every send blocks until all ten have started and then for longer
// than a lease on this scale would have lasted (ten poll intervals of both
// instances): each message is still sent exactly once, and River ran each
// job once.
func TestSlowSendsDeliveredOnceByTwoInstances(t *testing.T) {
	for _, dialect := range []store.Dialect{store.Postgres, store.SQLite} {
		t.Run(string(dialect), func(t *testing.T) {
			a, b := twoInstances(t, dialect)
			const n = 10
			sent := newCounter()
			release := make(chan struct{})
			var entered atomic.Int32
			slow := func(ctx context.Context, m models.OutboxMessage) error {
				sent.add(m.ID)
				if entered.Add(1) == n {
					go func() {
						// The send time under test: the whole batch is in
						// flight, and stays so while both instances poll ten
						// times more. Nothing observable ends this wait; it
						// is the slowness of the mail server being modelled.
						time.Sleep(10 * testConfig(nil).PollEvery)
						close(release)
					}()
				}
				select {
				case <-release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			for _, db := range []*store.DB{a, b} {
				cfg := testConfig(slow)
				cfg.Workers = map[jobs.Lane]int{jobs.Messages: n}
				c := start(t, db, cfg)
				db.SetJobs(c)
			}
			ids := enqueue(t, a, "claim.status", n/2)
			ids = append(ids, enqueue(t, b, "claim.status", n/2)...)
			waitFor(t, "all ten delivered", delivered(a, ids))
			for _, id := range ids {
				if got := sent.get(id); got != 1 {
					t.Errorf("message %s sent %d times, want 1", id, got)
				}
			}
			if got := sent.distinct(); got != n {
				t.Errorf("distinct messages sent: %d, want %d", got, n)
			}
			attempts := jobAttempts(t, a, ids)
			for _, id := range ids {
				if attempts[id] != 1 {
					t.Errorf("job of %s attempted %d times, want 1", id, attempts[id])
				}
			}
		})
	}
}
