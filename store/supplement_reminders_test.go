package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// countOutbox counts the outbox messages with a dedupe id.
func countOutbox(t *testing.T, db *store.DB, dedupeID string) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRowContext(context.Background(), pgPlaceholders(db, "SELECT COUNT(*) FROM outbox WHERE dedupe_id = ?"), dedupeID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// addOne adds one claim and returns its id.
func (w *statsWorld) addOne(t *testing.T, spec claimSpec) string {
	t.Helper()
	ids := func() map[string]bool {
		sqlDB, err := w.db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := sqlDB.QueryContext(context.Background(), "SELECT id FROM claims")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		set := map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			set[id] = true
		}
		return set
	}
	before := ids()
	w.add(t, spec)
	for id := range ids() {
		if !before[id] {
			return id
		}
	}
	t.Fatal("no claim added")
	return ""
}

// TestRemindSupplements pins, on both databases, which claims get a
// supplement reminder when the job runs at now with the default lead of
// two days, and that no claim and due time gets two.
func TestRemindSupplements(t *testing.T) {
	lead := claims.DefaultSupplementReminderLead
	hours := func(h float64) *time.Duration { d := time.Duration(h * float64(time.Hour)); return &d }
	cases := []struct {
		name     string
		status   models.ClaimStatus
		dueIn    *time.Duration // nil: no due time
		reminded bool           // a reminder was queued by an earlier run
		want     bool           // this run queues one
	}{
		{"due in exactly the lead: reminded", "supplement_requested", &lead, false, true},
		{"due in the lead + 1s: not yet", "supplement_requested", func() *time.Duration { d := lead + time.Second; return &d }(), false, false},
		{"due in 1h: reminded", "supplement_requested", hours(1), false, true},
		{"due exactly now: reminded", "supplement_requested", hours(0), false, true},
		{"1s past due: not reminded", "supplement_requested", func() *time.Duration { d := -time.Second; return &d }(), false, false},
		{"already reminded: not again", "supplement_requested", hours(5), true, false},
		{"supplement answered (back in the queue): not reminded", "submitted", hours(1), false, false},
		{"no due time: not reminded", "supplement_requested", nil, false, false},
	}
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStatsWorld(t, db)
		now := w.now
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(cases))
		for i, tc := range cases {
			ids[i] = w.addOne(t, claimSpec{outage: w.paidOut, status: tc.status, category: "driver", age: 10 * day})
			if tc.dueIn != nil {
				if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, "UPDATE claims SET supplement_due_at = ? WHERE id = ?"), now.Add(*tc.dueIn), ids[i]); err != nil {
					t.Fatal(err)
				}
			}
			if tc.reminded {
				d := claims.SupplementDue{ClaimID: ids[i], Number: "x", ClaimantID: "x", DueAt: now.Add(*tc.dueIn)}
				if added, err := db.Claims().EnqueueNew(ctx, claims.SupplementReminder(uuid.NewString(), d, now.Add(-time.Hour))); err != nil || !added {
					t.Fatalf("earlier reminder: added %v, %v", added, err)
				}
			}
		}
		svc := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, func() time.Time { return now }, uuid.NewString)
		n, err := svc.RemindSupplements(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i, tc := range cases {
			if tc.want {
				want++
			}
			got := 0
			if tc.dueIn != nil {
				got = countOutbox(t, db, claims.SupplementReminderDedupeID(ids[i], now.Add(*tc.dueIn)))
			}
			if wantRows := map[bool]int{true: 1, false: 0}[tc.want || tc.reminded]; got != wantRows {
				t.Errorf("%s: %d reminders queued, want %d", tc.name, got, wantRows)
			}
		}
		if n != want {
			t.Errorf("RemindSupplements reported %d, want %d (the new ones)", n, want)
		}
		if again, err := svc.RemindSupplements(ctx); err != nil || again != 0 {
			t.Errorf("second run: %d queued, %v; want none", again, err)
		}

		var m models.OutboxMessage
		dedupe := claims.SupplementReminderDedupeID(ids[0], now.Add(lead))
		if err := sqlDB.QueryRowContext(ctx, pgPlaceholders(db, "SELECT topic, payload FROM outbox WHERE dedupe_id = ?"), dedupe).Scan(&m.Topic, &m.Payload); err != nil {
			t.Fatal(err)
		}
		var p claims.SupplementReminderPayload
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || m.Topic != claims.TopicSupplementReminder || p.ClaimID != ids[0] ||
			p.ClaimantID == "" || p.Number == "" || !p.DueAt.Equal(now.Add(lead)) {
			t.Errorf("message %s %s (%v): want the claim, its number, claimant and due time", m.Topic, m.Payload, err)
		}

		// A new request with another due time is reminded of anew.
		if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, "UPDATE claims SET supplement_due_at = ? WHERE id = ?"), now.Add(day), ids[0]); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.RemindSupplements(ctx); err != nil || n != 1 {
			t.Errorf("after a new due time: %d queued, %v; want 1", n, err)
		}
	})
}

// TestRemindSupplementsConcurrently: two instances running the job at
// once queue one reminder per claim between them.
func TestRemindSupplementsConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStatsWorld(t, db)
		now := w.now
		for range 6 {
			w.add(t, claimSpec{outage: w.freeOut, status: "supplement_requested", category: "free_user", age: 3 * day})
		}
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, "UPDATE claims SET supplement_due_at = ?"), now.Add(day)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i := range 2 {
			svc := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, func() time.Time { return now }, uuid.NewString)
			wg.Go(func() { counts[i], errs[i] = svc.RemindSupplements(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var rows int
		if err := sqlDB.QueryRowContext(ctx, pgPlaceholders(db, "SELECT COUNT(*) FROM outbox WHERE topic = ?"), claims.TopicSupplementReminder).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 6 || counts[0]+counts[1] != 6 {
			t.Errorf("%d reminders queued, reported %d + %d; want 6 in all", rows, counts[0], counts[1])
		}
	})
}
