package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

type countingSender struct {
	mu    sync.Mutex
	seen  map[string]int
	flaky map[string]bool // fail the first attempt of these
}

func (s *countingSender) Send(_ context.Context, m models.OutboxMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[m.DedupeID]++
	if s.flaky[m.DedupeID] && s.seen[m.DedupeID] == 1 {
		return errors.New("smtp says no")
	}
	return nil
}

func TestOutboxDeliveredOnceByConcurrentDispatchers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for i := range 200 {
			m := &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: fmt.Sprintf("d%03d", i), Payload: "{}", AvailableAt: now, CreatedAt: now}
			if err := createOutbox(db, m); err != nil {
				t.Fatal(err)
			}
		}
		sender := &countingSender{seen: map[string]int{}, flaky: map[string]bool{"d007": true}}
		clock := now
		var wg sync.WaitGroup
		for range 3 {
			d := notify.NewDispatcher(db, sender, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return clock })
			d.Batch = 17
			wg.Go(func() {
				for {
					n, err := d.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		for i := range 200 {
			id := fmt.Sprintf("d%03d", i)
			// d007 failed once and is not due again yet: one attempt each.
			if sender.seen[id] != 1 {
				t.Fatalf("%s sent %d times, want 1", id, sender.seen[id])
			}
		}
		// The failed message comes back after its backoff.
		later := notify.NewDispatcher(db, sender, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return clock.Add(time.Minute) })
		if n, err := later.RunOnce(ctx); err != nil || n != 1 || sender.seen["d007"] != 2 {
			t.Fatalf("retry: delivered %d (%v), d007 sent %d times; want 1 and 2", n, err, sender.seen["d007"])
		}
		if n, _ := later.RunOnce(ctx); n != 0 {
			t.Fatalf("after everything was delivered: got %d more", n)
		}
	})
}

func createOutbox(db *store.DB, m *models.OutboxMessage) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	q := "INSERT INTO outbox (id, topic, dedupe_id, payload, attempts, available_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)"
	if db.Dialect() == store.Postgres {
		q = "INSERT INTO outbox (id, topic, dedupe_id, payload, attempts, available_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)"
	}
	_, err = sqlDB.Exec(q, m.ID, m.Topic, m.DedupeID, m.Payload, m.AvailableAt, m.CreatedAt)
	return err
}
