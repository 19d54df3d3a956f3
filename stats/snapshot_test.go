package stats

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestSnapshotsServeAgedFiguresWhileOneRefreshRuns(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	compute := func(ctx context.Context, id string) (*Figures, error) {
		n := calls.Add(1)
		if n > 1 {
			<-release
		}
		return &Figures{Claims: int64(n)}, nil
	}
	s := &snapshots{maxAge: 20 * time.Millisecond, byOutage: map[string]*snapshot{}}
	ctx := context.Background()
	first, _ := s.get(ctx, "", compute)
	again, _ := s.get(ctx, "", compute)
	if first.Claims != 1 || again.Claims != 1 || calls.Load() != 1 {
		t.Fatalf("fresh snapshot: got %d then %d after %d computations, want one computation", first.Claims, again.Claims, calls.Load())
	}
	s.mu.Lock()
	s.byOutage[""].taken = time.Now().Add(-50 * time.Millisecond) // aged, not expired
	s.mu.Unlock()
	for range 5 {
		if f, _ := s.get(ctx, "", compute); f.Claims != 1 {
			t.Fatalf("aged snapshot: got %d, want the old figures served at once", f.Claims)
		}
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		f, _ := s.get(ctx, "", compute)
		if f.Claims == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never replaced the snapshot")
		}
		time.Sleep(time.Millisecond)
	}
	if calls.Load() != 2 {
		t.Fatalf("computations: got %d, want 2 (one refresh for many requests)", calls.Load())
	}
	s.mu.Lock()
	s.byOutage[""].taken = time.Now().Add(-time.Second) // expired
	s.mu.Unlock()
	if f, _ := s.get(ctx, "", compute); f.Claims != 3 {
		t.Fatalf("expired snapshot: got %d, want a fresh computation", f.Claims)
	}
}
