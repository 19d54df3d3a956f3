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

// TestSecondApprovalGoesToAnotherSupervisor: Sue approves a large amount,
// which waits for a second approval. Sue can neither give it, take it nor
// be served it (her own first decision stays out of her queue even when
// nothing else waits); Tom is served it by Next and approves it.
func TestSecondApprovalGoesToAnotherSupervisor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sue, tom := w.user(t, models.RoleSupervisor), w.user(t, models.RoleSupervisor)
	c := w.file(t, w.claimant)
	stored, err := w.db.Review().Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	large := review.DefaultSettings.SecondApprovalAboveKRW + 1
	if _, err := w.rv.Decide(ctx, sue, c.ID, &stored.Version, review.DecisionInput{Outcome: "approve", AmountKRW: &large}); err != nil {
		t.Fatalf("Sue's first decision: %v", err)
	}
	got, err := w.db.Review().Claim(ctx, c.ID)
	if err != nil || got.Status != models.StatusPendingSecondApproval {
		t.Fatalf("after Sue's approval: got %+v (%v), want pending second approval", got, err)
	}
	w.now = w.now.Add(review.DefaultSettings.LeaseFor + time.Second)
	if err := w.decide(ctx, sue, c.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Sue gives her own second approval: got %v, want ErrForbidden", err)
	}
	if _, err := w.rv.Lease(ctx, sue, c.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Sue takes her own second approval: got %v, want ErrForbidden", err)
	}
	if v, err := w.rv.Next(ctx, sue); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sue's queue: got %v (%v), want nothing to serve", v, err)
	}
	v, err := w.rv.Next(ctx, tom)
	if err != nil || v.ID != c.ID {
		t.Fatalf("Tom's queue: got %v (%v), want the second approval", v, err)
	}
	if err := w.decide(ctx, tom, c.ID); err != nil {
		t.Fatalf("Tom's second approval: %v", err)
	}
	got, err = w.db.Review().Claim(ctx, c.ID)
	if err != nil || got.Status != models.StatusApproved || got.ApprovedAmountKRW != large {
		t.Errorf("after Tom's approval: got %+v (%v), want approved at %d", got, err, large)
	}
}

// TestLeaseNextSecondServesWhatTheQueryAsks: the store leaves out the first
// decisions of SecondQuery.SkipDecidedBy and no others; the rule of who is
// left out is the domain's (review.MaySecondApprove).
func TestLeaseNextSecondServesWhatTheQueryAsks(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sue := w.user(t, models.RoleSupervisor)
	c := w.file(t, w.claimant)
	stored, err := w.db.Review().Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	large := review.DefaultSettings.SecondApprovalAboveKRW + 1
	if _, err := w.rv.Decide(ctx, sue, c.ID, &stored.Version, review.DecisionInput{Outcome: "approve", AmountKRW: &large}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(review.DefaultSettings.LeaseFor + time.Second)
	until := w.now.Add(time.Minute)
	if got, err := w.db.Review().LeaseNextSecond(ctx, review.SecondQuery{Supervisor: sue.ID, SkipDecidedBy: sue.ID}, w.now, until); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("skipping Sue's decisions: got %v (%v), want none", got, err)
	}
	got, err := w.db.Review().LeaseNextSecond(ctx, review.SecondQuery{Supervisor: sue.ID}, w.now, until)
	if err != nil || got.ID != c.ID || got.LeasedBy == nil || *got.LeasedBy != sue.ID {
		t.Fatalf("skipping nobody: got %+v (%v), want the claim leased to Sue", got, err)
	}
}
