package review_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

// TestLeaseHeldUntilItRunsOut: Ann takes a claim; Bob can neither take
// nor decide it while her lease lives, and can at the instant after it ran
// out (the lease ends at its expiry: a lease is live while it is after now).
func TestLeaseHeldUntilItRunsOut(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	c := w.file(t, w.claimant)
	v, err := w.rv.Lease(ctx, w.ann, c.ID)
	if err != nil || v.Status != models.StatusUnderReview {
		t.Fatalf("Ann takes the claim: got %v (%v), want it under review", v, err)
	}
	w.now = w.now.Add(review.DefaultSettings.LeaseFor - time.Second)
	if _, err := w.rv.Lease(ctx, w.bob, c.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("Bob takes Ann's live lease: got %v, want ErrConflict", err)
	}
	if err := w.decide(ctx, w.bob, c.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("Bob decides under Ann's live lease: got %v, want ErrConflict", err)
	}
	if _, err := w.rv.Next(ctx, w.bob); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Bob's queue while Ann holds the only claim: got %v, want ErrNotFound", err)
	}
	w.now = w.now.Add(time.Second) // exactly at the expiry
	if _, err := w.rv.Lease(ctx, w.bob, c.ID); err != nil {
		t.Fatalf("Bob takes the claim once Ann's lease ran out: %v", err)
	}
	got, err := w.db.Review().Claim(ctx, c.ID)
	if err != nil || got.LeasedBy == nil || *got.LeasedBy != w.bob.ID {
		t.Errorf("lease holder: got %+v (%v), want Bob", got, err)
	}
}
