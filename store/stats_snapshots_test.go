package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// countingStats counts the computations an instance makes: one Groups
// call each.
type countingStats struct {
	stats.Store
	computed atomic.Int32
}

func (c *countingStats) Groups(ctx context.Context, outageID string) ([]stats.Group, error) {
	c.computed.Add(1)
	return c.Store.Groups(ctx, outageID)
}

// testClock is a settable clock shared by the instances of a test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func figuresJSON(t *testing.T, f *stats.Figures) string {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStatsSnapshotsSharedBetweenInstances: two instances over one
// database; what one refreshes the other serves without computing, equal
// to a direct computation; a snapshot too old is computed again, and then
// served to the other instance.
func TestStatsSnapshotsSharedBetweenInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStatsWorld(t, db)
		w.add(t,
			claimSpec{outage: w.paidOut, status: "paid", category: "merchant", monetary: true, claimed: 100_000, estimate: 80_000, appr: 80_000, age: 30 * day, decidedAfter: hour, payout: "paid", payoutKRW: 80_000},
			claimSpec{outage: w.paidOut, status: "submitted", category: "driver", monetary: true, claimed: 10_000, estimate: 9_000, age: 2 * hour},
			claimSpec{outage: w.freeOut, status: "under_review", category: "free_user", age: 3 * day},
		)
		clk := &testClock{t: w.now}
		const maxAge = time.Minute
		a, b := &countingStats{Store: db.Stats()}, &countingStats{Store: db.Stats()}
		svcA := stats.NewService(a, 14*day, clk.now).WithSnapshots(maxAge)
		svcB := stats.NewService(b, 14*day, clk.now).WithSnapshots(maxAge)
		direct := stats.NewService(db.Stats(), 14*day, clk.now)
		scopes := []string{"", w.paidOut, w.freeOut, w.none}

		n, err := svcA.RefreshSnapshots(ctx)
		if err != nil || n != 4 {
			t.Fatalf("first refresh: stored %d, %v; want all outages and the total (4)", n, err)
		}
		if got := a.computed.Load(); got != 4 {
			t.Fatalf("refresh computed %d times, want 4", got)
		}
		clk.set(w.now.Add(maxAge - time.Second))
		for _, id := range scopes {
			got, err := svcB.Figures(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			// The direct computation as of the refresh's clock.
			clk.set(w.now)
			want, err := direct.Figures(ctx, id)
			clk.set(w.now.Add(maxAge - time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if g, w := figuresJSON(t, got), figuresJSON(t, want); g != w {
				t.Errorf("outage %q: served %s, direct computation %s", id, g, w)
			}
		}
		if got := b.computed.Load(); got != 0 {
			t.Fatalf("the other instance computed %d times, want 0: it serves the shared snapshot", got)
		}

		// Too old to serve: computed before answering, and stored for all.
		later := w.now.Add(10 * maxAge)
		clk.set(later)
		got, err := svcB.Figures(ctx, w.paidOut)
		if err != nil {
			t.Fatal(err)
		}
		if !got.AsOf.Equal(later) || b.computed.Load() != 1 {
			t.Fatalf("stale snapshot: served figures as of %v after %d computations, want as of %v after 1", got.AsOf, b.computed.Load(), later)
		}
		before := a.computed.Load()
		again, err := svcA.Figures(ctx, w.paidOut)
		if err != nil || !again.AsOf.Equal(later) || a.computed.Load() != before {
			t.Fatalf("the first instance got figures as of %v (%v) after %d more computations, want the new snapshot and none",
				again.AsOf, err, a.computed.Load()-before)
		}
	})
}

// TestStatsSnapshotKeepsLaterFigures: a refresh that finishes after a
// newer one does not replace the newer figures.
func TestStatsSnapshotKeepsLaterFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := db.Stats()
		at := time.Date(2024, 5, 1, 3, 0, 0, 0, time.UTC)
		for _, s := range []stats.Snapshot{{OutageID: "", Figures: `{"claims":2}`, ComputedAt: at},
			{OutageID: "", Figures: `{"claims":1}`, ComputedAt: at.Add(-time.Second)},
			{OutageID: "", Figures: `{"claims":3}`, ComputedAt: at}} {
			if err := st.SaveSnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.Snapshot(ctx, "")
		if err != nil || got.Figures != `{"claims":2}` || !got.ComputedAt.Equal(at) {
			t.Fatalf("got %+v, %v; want the figures computed at %v, stored first", got, err, at)
		}
		if err := st.SaveSnapshot(ctx, stats.Snapshot{OutageID: "", Figures: `{"claims":4}`, ComputedAt: at.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Snapshot(ctx, ""); got.Figures != `{"claims":4}` {
			t.Errorf("later figures: got %s, want them stored", got.Figures)
		}
	})
}

// TestStatsRefreshSkipsSettledOutages pins which outages a refresh
// computes again: none whose claims are all settled and unchanged.
func TestStatsRefreshSkipsSettledOutages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStatsWorld(t, db)
		settled, open, empty := w.paidOut, w.freeOut, w.none
		w.add(t,
			claimSpec{outage: settled, status: "paid", category: "merchant", monetary: true, claimed: 10_000, estimate: 10_000, appr: 10_000, age: 20 * day, decidedAfter: hour, payout: "paid", payoutKRW: 10_000},
			claimSpec{outage: settled, status: "rejected", category: "driver", age: 20 * day, decidedAfter: hour},
			claimSpec{outage: settled, status: "withdrawn", category: "free_user", age: 20 * day},
			claimSpec{outage: open, status: "approved", category: "merchant", monetary: true, claimed: 5_000, estimate: 5_000, appr: 5_000, age: 20 * day, decidedAfter: hour},
		)
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, q), args...); err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE outages SET ended_at = ?", w.now.Add(-30*day))
		refreshAt := w.now.Add(time.Hour)
		svc := stats.NewService(db.Stats(), 14*day, func() time.Time { return refreshAt })
		if n, err := svc.RefreshSnapshots(ctx); err != nil || n != 4 {
			t.Fatalf("first refresh: stored %d, %v; want every outage (none has a snapshot) and the total", n, err)
		}
		list := func() []string {
			t.Helper()
			ids, err := db.Stats().OutagesToRefresh(ctx, stats.SettledStatuses, stats.RefreshMargin)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(ids)
			return ids
		}
		only := func(ids ...string) []string { slices.Sort(ids); return ids }
		steps := []struct {
			name string
			do   func()
			want []string
		}{
			{"approved and unpaid claim: due; settled and empty closed outages: not", func() {}, only(open)},
			{"claim changed 61 s before the snapshot: not due", func() {
				exec("UPDATE claims SET updated_at = ? WHERE outage_id = ? AND status = 'withdrawn'", refreshAt.Add(-stats.RefreshMargin-time.Second), settled)
			}, only(open)},
			{"claim changed 59 s before the snapshot: due", func() {
				exec("UPDATE claims SET updated_at = ? WHERE outage_id = ? AND status = 'withdrawn'", refreshAt.Add(-stats.RefreshMargin+time.Second), settled)
			}, only(open, settled)},
			{"outage reopened: due", func() { exec("UPDATE outages SET ended_at = NULL WHERE id = ?", empty) }, only(open, settled, empty)},
		}
		for _, s := range steps {
			s.do()
			if got := list(); !slices.Equal(got, s.want) {
				t.Errorf("%s: got %v, want %v", s.name, got, s.want)
			}
		}
		exec("DELETE FROM stats_snapshots WHERE outage_id = ?", settled)
		exec("UPDATE claims SET updated_at = ? WHERE outage_id = ?", w.now.Add(-20*day), settled)
		if got := list(); !slices.Contains(got, settled) {
			t.Errorf("outage without a snapshot: got %v, want it listed", got)
		}
		if n, err := svc.RefreshSnapshots(ctx); err != nil || n != 4 {
			t.Errorf("second refresh: stored %d, %v; want the total and the three due outages", n, err)
		}
	})
}
