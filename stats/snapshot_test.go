package stats

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/offers"
)

// fakeStore counts the computations (one Groups call each, answering with
// the computation's number as the claim count) and keeps snapshots in a
// map; computations after the first wait for release when it is set.
type fakeStore struct {
	calls   atomic.Int32
	release chan struct{}
	mu      sync.Mutex
	snaps   map[string]Snapshot
}

func (f *fakeStore) OutageExists(context.Context, string) (bool, error) { return true, nil }
func (f *fakeStore) Groups(context.Context, string) ([]Group, error) {
	n := f.calls.Add(1)
	if n > 1 && f.release != nil {
		<-f.release
	}
	return []Group{{Status: "submitted", Category: "driver", Claims: int64(n)}}, nil
}
func (f *fakeStore) Ledger(context.Context, string) ([]offers.LedgerGroup, error) { return nil, nil }
func (f *fakeStore) TakeUp(context.Context, string) ([]offers.TakeUpDay, error)   { return nil, nil }
func (f *fakeStore) DecisionCount(context.Context, string) (int64, error)         { return 0, nil }
func (f *fakeStore) DecisionSeconds(context.Context, string, int64, int64) ([]int64, error) {
	return nil, nil
}
func (f *fakeStore) Backlog(context.Context, string, time.Time, []Bucket) (map[string]int64, error) {
	return map[string]int64{}, nil
}
func (f *fakeStore) Snapshot(_ context.Context, id string) (*Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.snaps[id]
	if !ok {
		return nil, fmt.Errorf("snapshot %q: %w", id, apperr.ErrNotFound)
	}
	return &s, nil
}
func (f *fakeStore) SaveSnapshot(_ context.Context, s Snapshot) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.snaps[s.OutageID]; !ok || old.ComputedAt.Before(s.ComputedAt) {
		f.snaps[s.OutageID] = s
	}
	return nil
}
func (f *fakeStore) OutagesToRefresh(context.Context, []string, time.Duration) ([]string, error) {
	return nil, nil
}

// clock is a settable injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSnapshotsServeAgedFiguresWhileOneRefreshRuns(t *testing.T) {
	st := &fakeStore{release: make(chan struct{}), snaps: map[string]Snapshot{}}
	clk := &clock{t: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	const maxAge = 20 * time.Second
	s := NewService(st, 14*day, clk.now).WithSnapshots(maxAge)
	ctx := context.Background()
	first, _ := s.Figures(ctx, "")
	clk.add(maxAge - time.Second)
	again, _ := s.Figures(ctx, "")
	if first.Claims != 1 || again.Claims != 1 || st.calls.Load() != 1 {
		t.Fatalf("fresh snapshot: got %d then %d after %d computations, want one computation", first.Claims, again.Claims, st.calls.Load())
	}
	clk.add(time.Second) // exactly maxAge old: aged, not expired
	for range 5 {
		if f, _ := s.Figures(ctx, ""); f.Claims != 1 {
			t.Fatalf("aged snapshot: got %d, want the old figures served at once", f.Claims)
		}
	}
	close(st.release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, _ := s.Figures(ctx, "")
		if f.Claims == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never replaced the snapshot")
		}
		time.Sleep(time.Millisecond)
	}
	if st.calls.Load() != 2 {
		t.Fatalf("computations: got %d, want 2 (one refresh for many requests)", st.calls.Load())
	}
	clk.add(staleServe * maxAge) // expired
	if f, _ := s.Figures(ctx, ""); f.Claims != 3 {
		t.Fatalf("expired snapshot: got %d, want a fresh computation", f.Claims)
	}
}

// TestSnapshotKeyFoldsCase: case variants of one outage id share one
// snapshot, so they cannot multiply the rows.
func TestSnapshotKeyFoldsCase(t *testing.T) {
	st := &fakeStore{snaps: map[string]Snapshot{}}
	clk := &clock{t: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	s := NewService(st, 14*day, clk.now).WithSnapshots(time.Minute)
	id := "0190A0B0-C0D0-7000-8000-00000000000A"
	if _, err := s.Figures(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Figures(context.Background(), "0190a0b0-c0d0-7000-8000-00000000000a"); err != nil {
		t.Fatal(err)
	}
	if len(st.snaps) != 1 || st.calls.Load() != 1 {
		t.Errorf("got %d snapshots after %d computations, want 1 of each", len(st.snaps), st.calls.Load())
	}
}
