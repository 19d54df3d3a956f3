package claims_test

import (
	"errors"
	"github.com/bosang/bosang/models"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
)

var allStatuses = []models.ClaimStatus{models.StatusSubmitted, models.StatusUnderReview, models.StatusSupplementRequested, models.StatusPendingSecondApproval,
	models.StatusApproved, models.StatusPartiallyApproved, models.StatusRejected, models.StatusAppealed, models.StatusWithdrawn, models.StatusPaid}

var allActions = []claims.Action{claims.ActLease, claims.ActLeaseExpired, claims.ActApprove, claims.ActPartial, claims.ActReject,
	claims.ActRequestSupplement, claims.ActSupplement, claims.ActSecondApprove, claims.ActSecondReject, claims.ActAutoApprove,
	claims.ActWithdraw, claims.ActAppeal, claims.ActPay}

type move struct {
	from   models.ClaimStatus
	action claims.Action
}

// TestStateMachine lists every allowed transition with its result; every
// other (status, action) pair must be refused with ErrConflict.
func TestStateMachine(t *testing.T) {
	small := claims.Decision{AmountKRW: 50_000, SecondApprovalAboveKRW: 500_000}
	large := claims.Decision{AmountKRW: 500_001, SecondApprovalAboveKRW: 500_000}
	allowed := map[move]models.ClaimStatus{
		{models.StatusSubmitted, claims.ActLease}:                     models.StatusUnderReview,
		{models.StatusAppealed, claims.ActLease}:                      models.StatusUnderReview,
		{models.StatusUnderReview, claims.ActLeaseExpired}:            models.StatusSubmitted,
		{models.StatusUnderReview, claims.ActApprove}:                 models.StatusApproved,
		{models.StatusUnderReview, claims.ActPartial}:                 models.StatusPartiallyApproved,
		{models.StatusUnderReview, claims.ActReject}:                  models.StatusRejected,
		{models.StatusPendingSecondApproval, claims.ActReject}:        models.StatusRejected,
		{models.StatusUnderReview, claims.ActRequestSupplement}:       models.StatusSupplementRequested,
		{models.StatusSupplementRequested, claims.ActSupplement}:      models.StatusSubmitted,
		{models.StatusPendingSecondApproval, claims.ActSecondApprove}: models.StatusApproved,
		{models.StatusPendingSecondApproval, claims.ActSecondReject}:  models.StatusSubmitted,
		{models.StatusSubmitted, claims.ActAutoApprove}:               models.StatusApproved,
		{models.StatusSubmitted, claims.ActWithdraw}:                  models.StatusWithdrawn,
		{models.StatusUnderReview, claims.ActWithdraw}:                models.StatusWithdrawn,
		{models.StatusSupplementRequested, claims.ActWithdraw}:        models.StatusWithdrawn,
		{models.StatusApproved, claims.ActAppeal}:                     models.StatusAppealed,
		{models.StatusPartiallyApproved, claims.ActAppeal}:            models.StatusAppealed,
		{models.StatusRejected, claims.ActAppeal}:                     models.StatusAppealed,
		{models.StatusApproved, claims.ActPay}:                        models.StatusPaid,
		{models.StatusPartiallyApproved, claims.ActPay}:               models.StatusPaid,
	}
	for _, from := range allStatuses {
		for _, action := range allActions {
			want, ok := allowed[move{from, action}]
			name := string(from) + " + " + string(action)
			t.Run(name, func(t *testing.T) {
				got, err := claims.Next(from, action, small)
				if !ok {
					if !errors.Is(err, apperr.ErrConflict) || got != from {
						t.Fatalf("got %s, %v; want refusal with ErrConflict", got, err)
					}
					return
				}
				if err != nil || got != want {
					t.Fatalf("got %s, %v; want %s", got, err, want)
				}
			})
		}
	}
	t.Run("approval above the limit waits for a second approval", func(t *testing.T) {
		for _, a := range []claims.Action{claims.ActApprove, claims.ActPartial} {
			if got, _ := claims.Next(models.StatusUnderReview, a, large); got != models.StatusPendingSecondApproval {
				t.Fatalf("%s of ₩500,001: got %s, want pending_second_approval", a, got)
			}
		}
	})
	t.Run("exactly the limit needs no second approval", func(t *testing.T) {
		at := claims.Decision{AmountKRW: 500_000, SecondApprovalAboveKRW: 500_000}
		if got, _ := claims.Next(models.StatusUnderReview, claims.ActApprove, at); got != models.StatusApproved {
			t.Fatalf("got %s, want approved", got)
		}
	})
	t.Run("second approval of a partial approval stays partial", func(t *testing.T) {
		if got, _ := claims.Next(models.StatusPendingSecondApproval, claims.ActSecondApprove, claims.Decision{Partial: true}); got != models.StatusPartiallyApproved {
			t.Fatalf("got %s, want partially_approved", got)
		}
	})
}
