package stats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bosang/bosang/models"
	"strings"
	"sync"
	"time"

	"github.com/bosang/bosang/apperr"
)

// Snapshot is one stored set of figures, shared by every instance.
type Snapshot struct {
	// OutageID is the outage the figures are of, "" for all outages.
	OutageID string
	// Figures is the JSON of the Figures.
	Figures string
	// ComputedAt is the clock reading the figures are as of (Figures.AsOf).
	ComputedAt time.Time
}

// SnapshotStore is the persistence of the shared snapshots. outageID "" is
// the snapshot of every outage together.
type SnapshotStore interface {
	// Snapshot returns the stored snapshot of outageID, or an error wrapping
	// apperr.ErrNotFound when there is none.
	Snapshot(ctx context.Context, outageID string) (*Snapshot, error)
	// SaveSnapshot stores s in place of its outage's snapshot, unless the
	// stored one was computed at or after s.ComputedAt: concurrent
	// refreshes never replace newer figures with older ones.
	SaveSnapshot(ctx context.Context, s Snapshot) error
	// OutagesToRefresh lists the outages whose figures may differ from
	// their snapshot: those without a snapshot, ongoing ones, those with a
	// claim in a status outside settled, and those whose record or any of
	// whose claims was updated no earlier than margin before their
	// snapshot's ComputedAt.
	OutagesToRefresh(ctx context.Context, settled []string, margin time.Duration) ([]string, error)
}

// SettledStatuses are the claim statuses whose share of the figures changes
// only when the claim itself is updated (and so its updated_at moves): not
// open (the backlog ages with the clock) and not approved but unpaid (a
// payout item settles without touching the claim). A rejected claim that
// is appealed is updated, and then open.
var SettledStatuses = models.Names([]models.ClaimStatus{models.StatusRejected, models.StatusWithdrawn, models.StatusPaid})

// RefreshMargin is how long before a snapshot was computed a change still
// makes its outage due for refresh. It covers a transaction that stamped
// its claims before the figures were read but committed after, and clocks
// of instances that disagree by less than it.
const RefreshMargin = time.Minute

// staleServe is how many times maxAge an aged snapshot is still served
// while one background refresh per instance replaces it; older ones are
// recomputed before answering.
const staleServe = 10

// snapshots is the per-instance side of the shared snapshots: the age
// limit and the outages this instance is refreshing in the background.
type snapshots struct {
	maxAge     time.Duration
	mu         sync.Mutex
	refreshing map[string]bool
}

// WithSnapshots makes Figures answer from the snapshot shared through the
// store when it is less than maxAge old (its AsOf says when it was taken).
// An older one, up to ten times maxAge, is served at once while this
// instance replaces it in the background (one refresh per outage at a
// time); a missing or older one is computed and stored before answering.
// A dashboard over a million claims thus answers at once, and N instances
// share one computation instead of each rescanning the claims; run
// RefreshSnapshots at least twice per maxAge and requests never compute.
// It returns s.
func (s *Service) WithSnapshots(maxAge time.Duration) *Service {
	s.snapshots = &snapshots{maxAge: maxAge, refreshing: map[string]bool{}}
	return s
}

// snapshotKey is the row an outage's snapshot is kept under: ids are
// compared in lower case, as PostgreSQL's uuid type compares them, so that
// case variants of one id share one row.
func snapshotKey(outageID string) string { return strings.ToLower(outageID) }

// fromSnapshot answers Figures from the shared snapshot of outageID.
func (s *Service) fromSnapshot(ctx context.Context, outageID string) (*Figures, error) {
	key := snapshotKey(outageID)
	f, at, err := s.loadSnapshot(ctx, key)
	if err != nil {
		return nil, err
	}
	if f != nil {
		age := s.now().Sub(at)
		switch {
		case age < s.snapshots.maxAge:
			return f, nil
		case age < staleServe*s.snapshots.maxAge:
			s.refreshInBackground(key)
			return f, nil
		}
	}
	f, err = s.compute(ctx, key)
	if err != nil {
		return nil, err
	}
	// Figures that could not be stored are still right; the next request
	// or refresh stores them.
	_ = s.saveSnapshot(ctx, key, f)
	return f, nil
}

// loadSnapshot reads the stored figures of key and when they were
// computed; nil figures when there is no snapshot or it does not decode.
func (s *Service) loadSnapshot(ctx context.Context, key string) (*Figures, time.Time, error) {
	snap, err := s.store.Snapshot(ctx, key)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	var f Figures
	if err := json.Unmarshal([]byte(snap.Figures), &f); err != nil || f.Offers == nil {
		return nil, time.Time{}, nil // written by another version: recompute
	}
	return &f, snap.ComputedAt, nil
}

func (s *Service) saveSnapshot(ctx context.Context, key string, f *Figures) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.store.SaveSnapshot(ctx, Snapshot{OutageID: key, Figures: string(b), ComputedAt: f.AsOf})
}

// refreshInBackground recomputes key's snapshot off the request, unless
// this instance is doing so already.
func (s *Service) refreshInBackground(key string) {
	sn := s.snapshots
	sn.mu.Lock()
	if sn.refreshing[key] {
		sn.mu.Unlock()
		return
	}
	sn.refreshing[key] = true
	sn.mu.Unlock()
	go func() {
		defer func() {
			sn.mu.Lock()
			delete(sn.refreshing, key)
			sn.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A request that read the aged snapshot just before another
		// refresh stored a fresh one and let go of the key lands here:
		// nothing to do then.
		if f, at, err := s.loadSnapshot(ctx, key); err == nil && f != nil && s.now().Sub(at) < sn.maxAge {
			return
		}
		if f, err := s.compute(ctx, key); err == nil {
			_ = s.saveSnapshot(ctx, key, f) // a failure leaves the next request to try again
		}
	}()
}

// RefreshSnapshots computes and stores the shared snapshot of all outages
// together and of every outage whose figures may have changed since its
// snapshot: one without a snapshot yet, an ongoing one, one with claims not
// in SettledStatuses (open claims age, approved ones get paid), and one
// whose record or claims changed since RefreshMargin before its snapshot
// was computed. An outage whose claims are all settled and unchanged keeps
// its snapshot, which stays right. It is the periodic job that keeps
// Figures from computing on requests; it reads figures whether or not
// WithSnapshots was called. It returns how many snapshots it stored. An
// outage that fails does not stop the others: their errors are returned
// joined, with the count of the rest. Running it again, or on two
// instances at once, is safe: a snapshot is only replaced by one computed
// later.
func (s *Service) RefreshSnapshots(ctx context.Context) (int, error) {
	ids, err := s.store.OutagesToRefresh(ctx, SettledStatuses, RefreshMargin)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range append([]string{""}, ids...) {
		if err := ctx.Err(); err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		f, err := s.compute(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) {
			continue // gone since it was listed
		}
		if err == nil {
			err = s.saveSnapshot(ctx, snapshotKey(id), f)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("refresh statistics of outage %q: %w", id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
