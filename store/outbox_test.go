package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// recordingInserter stands in for package jobs: it records the messages
// it was asked to queue, after reading each back through the transaction
// it was given (so a row it cannot see there means another transaction).
type recordingInserter struct {
	mu     sync.Mutex
	db     *store.DB
	queued []string
	fail   error
}

func (r *recordingInserter) InsertOutboxJobs(ctx context.Context, tx *sql.Tx, msgs []models.OutboxMessage) error {
	for _, m := range msgs {
		var n int
		q := pgPlaceholders(r.db, "SELECT count(*) FROM outbox WHERE id = ?")
		if err := tx.QueryRowContext(ctx, q, m.ID).Scan(&n); err != nil || n != 1 {
			return fmt.Errorf("message %s through the given transaction: %d rows, %v", m.ID, n, err)
		}
	}
	if r.fail != nil {
		return r.fail
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.queued = append(r.queued, m.ID)
	}
	return nil
}

func (r *recordingInserter) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.queued)
}

func newMessage(dedupe string, at time.Time) *models.OutboxMessage {
	return &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: dedupe, Payload: "{}", AvailableAt: at, CreatedAt: at}
}

func outboxIDs(t *testing.T, db *store.DB) []string {
	t.Helper()
	var ids []string
	if err := sqlStrings(context.Background(), db, "SELECT id FROM outbox ORDER BY id", &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestEnqueueQueuesOneJobPerNewRow pins the one outbox path: each new row
// gets one job in the row's own transaction, a skipped duplicate gets
// none, and a rolled-back or failed insert leaves neither.
func TestEnqueueQueuesOneJobPerNewRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := testNow
		jobs := &recordingInserter{db: db}
		db.SetJobs(jobs)

		first := newMessage("once", now)
		if err := db.EnqueueOnce(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := db.EnqueueOnce(ctx, newMessage("once", now)); err != nil {
			t.Fatalf("a repeated dedupe id: got %v, want it skipped quietly", err)
		}
		if got := jobs.got(); !slices.Equal(got, []string{first.ID}) {
			t.Fatalf("jobs after a message and its repeat: got %v, want only %s", got, first.ID)
		}

		inTx := []*models.OutboxMessage{newMessage("tx-1", now), newMessage("tx-2", now)}
		err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.Claims().Enqueue(ctx, inTx[0]); err != nil {
				return err
			}
			if err := tx.Review().Enqueue(ctx, inTx[1]); err != nil {
				return err
			}
			if got := jobs.got(); len(got) != 3 {
				t.Errorf("jobs inside the transaction: got %d, want 3", len(got))
			}
			return errors.New("roll back")
		})
		if err == nil || len(outboxIDs(t, db)) != 1 {
			t.Fatalf("rolled back: got %v and %d rows, want the error and only the first row", err, len(outboxIDs(t, db)))
		}

		jobs.fail = errors.New("river is down")
		failed := newMessage("failed", now)
		if err := db.Claims().Enqueue(ctx, failed); !errors.Is(err, jobs.fail) {
			t.Fatalf("a failed job insert: got %v, want its error", err)
		}
		if ids := outboxIDs(t, db); slices.Contains(ids, failed.ID) {
			t.Fatal("the row whose job failed to insert was committed")
		}
	})
}

// TestEnqueueWithoutInserterWritesRows: a store with no inserter (unit
// tests of store alone) still writes the rows; package jobs' sweep finds
// them as orphans that never had a job.
func TestEnqueueWithoutInserterWritesRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old := testNow.Add(-time.Hour)
		m := newMessage("no-inserter", old)
		if err := db.EnqueueOnce(ctx, m); err != nil {
			t.Fatal(err)
		}
		orphans, err := db.OrphanOutbox(ctx, testNow, 10)
		if err != nil || len(orphans) != 1 || orphans[0].ID != m.ID || orphans[0].HadJob {
			t.Fatalf("orphans: got %+v (%v), want %s without a job", orphans, err, m.ID)
		}
		if orphans, _ := db.OrphanOutbox(ctx, old, 10); len(orphans) != 0 {
			t.Fatalf("orphans created before the row: got %d, want 0", len(orphans))
		}
	})
}

// TestOutboxFailuresDeadAndRedrive: failures are counted; the last one
// marks the message dead, listed until it is redriven or delivered.
func TestOutboxFailuresDeadAndRedrive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := testNow
		jobs := &recordingInserter{db: db}
		db.SetJobs(jobs)
		m := newMessage("failing", now)
		if err := db.EnqueueOnce(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := db.RedriveOutbox(ctx, jobs, m.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("redrive a message still retrying: got %v, want ErrConflict", err)
		}
		if err := db.RedriveOutbox(ctx, jobs, uuid.NewString()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("redrive an unknown message: got %v, want ErrNotFound", err)
		}
		for i, dead := range []bool{false, true} {
			if err := db.RecordOutboxFailure(ctx, m.ID, fmt.Sprintf("smtp says no %d", i), now, dead); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.OutboxMessage(ctx, m.ID)
		if err != nil || got.Attempts != 2 || got.LastError != "smtp says no 1" || got.DeadAt == nil {
			t.Fatalf("after two failures, the last one final: got %+v (%v), want 2 attempts, the last error, dead", got, err)
		}
		if list, err := db.DeadOutbox(ctx, 10); err != nil || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("dead list: got %v (%v), want the message", list, err)
		}
		if err := db.RedriveOutbox(ctx, jobs, m.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = db.OutboxMessage(ctx, m.ID)
		if got.DeadAt != nil || got.Attempts != 0 || len(jobs.got()) != 2 {
			t.Fatalf("redriven: got %+v and %d jobs, want alive with 0 attempts and a second job", got, len(jobs.got()))
		}
		if err := db.MarkOutboxDelivered(ctx, m.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordOutboxFailure(ctx, m.ID, "late", now, true); err != nil {
			t.Fatal(err)
		}
		got, _ = db.OutboxMessage(ctx, m.ID)
		if got.DeliveredAt == nil || got.DeadAt != nil || got.LastError == "late" {
			t.Fatalf("a failure recorded after delivery changed the row: %+v", got)
		}
		if list, _ := db.DeadOutbox(ctx, 10); len(list) != 0 {
			t.Fatalf("dead list after delivery: got %d, want 0", len(list))
		}
	})
}

// TestPurgeDeliveredOutbox: only messages delivered before the cut go;
// undelivered and dead ones stay however old; limit bounds one call.
func TestPurgeDeliveredOutbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		cut := now.Add(-7 * 24 * time.Hour)
		rows := map[string]*models.OutboxMessage{}
		for _, r := range []struct {
			name      string
			delivered time.Duration // before the cut; 0: undelivered
			dead      bool
		}{
			{"delivered 1s before the cut", time.Second, false},
			{"delivered 3 days before the cut", 72 * time.Hour, false},
			{"delivered 1s after the cut", -time.Second, false},
			{"undelivered, 30 days old", 0, false},
			{"dead, 30 days old", 0, true},
		} {
			m := newMessage(r.name, now.Add(-30*24*time.Hour))
			if err := db.EnqueueOnce(ctx, m); err != nil {
				t.Fatal(err)
			}
			if r.delivered != 0 {
				if err := db.MarkOutboxDelivered(ctx, m.ID, cut.Add(-r.delivered)); err != nil {
					t.Fatal(err)
				}
			}
			if r.dead {
				if err := db.RecordOutboxFailure(ctx, m.ID, "gave up", now, true); err != nil {
					t.Fatal(err)
				}
			}
			rows[r.name] = m
		}
		if n, err := db.PurgeDeliveredOutbox(ctx, cut, 1); err != nil || n != 1 {
			t.Fatalf("limit 1: deleted %d (%v), want 1", n, err)
		}
		if n, err := db.PurgeDeliveredOutbox(ctx, cut, 100); err != nil || n != 1 {
			t.Fatalf("the rest: deleted %d (%v), want 1", n, err)
		}
		for name, m := range rows {
			_, err := db.OutboxMessage(ctx, m.ID)
			gone := errors.Is(err, apperr.ErrNotFound)
			if want := name == "delivered 1s before the cut" || name == "delivered 3 days before the cut"; gone != want {
				t.Errorf("%s: gone %v, want %v (%v)", name, gone, want, err)
			}
		}
	})
}

// TestPurgeIdempotencyKeys: keys taken before the cut go, later ones stay.
func TestPurgeIdempotencyKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("keys@example.com")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		cut := now.Add(-48 * time.Hour)
		for key, at := range map[string]time.Time{"older": cut.Add(-time.Second), "at-cut": cut, "newer": cut.Add(time.Second)} {
			k := &models.IdempotencyKey{UserID: u.ID, Key: key, RequestHash: "h", State: "done", ResponseStatus: 201, CreatedAt: at}
			if _, owned, err := db.Claims().ClaimKey(ctx, k, time.Minute, 48*time.Hour); err != nil || !owned {
				t.Fatalf("take key %s: %v", key, err)
			}
		}
		if n, err := db.PurgeIdempotencyKeys(ctx, cut, 100); err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want 1", n, err)
		}
		var left []string
		if err := sqlStrings(ctx, db, "SELECT key FROM idempotency_keys ORDER BY key", &left); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(left, []string{"at-cut", "newer"}) {
			t.Fatalf("keys left: got %v, want [at-cut newer]", left)
		}
	})
}
