package stats

import (
	"context"
	"sync"
	"time"
)

// snapshots keep the last figures per outage ("" for all outages).
type snapshots struct {
	mu       sync.Mutex
	maxAge   time.Duration
	byOutage map[string]*snapshot
}

type snapshot struct {
	figures    *Figures
	taken      time.Time
	refreshing bool
}

// get returns the snapshot of outageID: fresh ones as they are; an aged one
// at once while a single background refresh replaces it; none yet computed
// now. Snapshots older than ten times maxAge are not served at all.
func (s *snapshots) get(ctx context.Context, outageID string, compute func(context.Context, string) (*Figures, error)) (*Figures, error) {
	s.mu.Lock()
	snap := s.byOutage[outageID]
	switch {
	case snap != nil && time.Since(snap.taken) < s.maxAge:
		s.mu.Unlock()
		return snap.figures, nil
	case snap != nil && time.Since(snap.taken) < 10*s.maxAge:
		if !snap.refreshing {
			snap.refreshing = true
			go s.refresh(outageID, compute)
		}
		s.mu.Unlock()
		return snap.figures, nil
	}
	s.mu.Unlock()
	f, err := compute(ctx, outageID)
	if err != nil {
		return nil, err
	}
	s.put(outageID, f)
	return f, nil
}

func (s *snapshots) refresh(outageID string, compute func(context.Context, string) (*Figures, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f, err := compute(ctx, outageID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if snap := s.byOutage[outageID]; snap != nil {
			snap.refreshing = false // the next request tries again
		}
		return
	}
	s.byOutage[outageID] = &snapshot{figures: f, taken: time.Now()}
}

func (s *snapshots) put(outageID string, f *Figures) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byOutage) > 10_000 {
		s.byOutage = map[string]*snapshot{}
	}
	s.byOutage[outageID] = &snapshot{figures: f, taken: time.Now()}
}
