package claims_test

import (
	"errors"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
)

var allStatuses = []claims.Status{claims.Submitted, claims.UnderReview, claims.SupplementRequested, claims.PendingSecondApproval,
	claims.Approved, claims.PartiallyApproved, claims.Rejected, claims.Appealed, claims.Withdrawn, claims.Paid}

var allActions = []claims.Action{claims.ActLease, claims.ActLeaseExpired, claims.ActApprove, claims.ActPartial, claims.ActReject,
	claims.ActRequestSupplement, claims.ActSupplement, claims.ActSecondApprove, claims.ActSecondReject, claims.ActAutoApprove,
	claims.ActWithdraw, claims.ActAppeal, claims.ActPay}

type move struct {
	from   claims.Status
	action claims.Action
}

// TestStateMachine lists every allowed transition with its result; every
// other (status, action) pair must be refused with ErrConflict.
func TestStateMachine(t *testing.T) {
	small := claims.Decision{AmountKRW: 50_000, SecondApprovalAboveKRW: 500_000}
	large := claims.Decision{AmountKRW: 500_001, SecondApprovalAboveKRW: 500_000}
	allowed := map[move]claims.Status{
		{claims.Submitted, claims.ActLease}:                     claims.UnderReview,
		{claims.Appealed, claims.ActLease}:                      claims.UnderReview,
		{claims.UnderReview, claims.ActLeaseExpired}:            claims.Submitted,
		{claims.UnderReview, claims.ActApprove}:                 claims.Approved,
		{claims.UnderReview, claims.ActPartial}:                 claims.PartiallyApproved,
		{claims.UnderReview, claims.ActReject}:                  claims.Rejected,
		{claims.PendingSecondApproval, claims.ActReject}:        claims.Rejected,
		{claims.UnderReview, claims.ActRequestSupplement}:       claims.SupplementRequested,
		{claims.SupplementRequested, claims.ActSupplement}:      claims.Submitted,
		{claims.PendingSecondApproval, claims.ActSecondApprove}: claims.Approved,
		{claims.PendingSecondApproval, claims.ActSecondReject}:  claims.Submitted,
		{claims.Submitted, claims.ActAutoApprove}:               claims.Approved,
		{claims.Submitted, claims.ActWithdraw}:                  claims.Withdrawn,
		{claims.UnderReview, claims.ActWithdraw}:                claims.Withdrawn,
		{claims.SupplementRequested, claims.ActWithdraw}:        claims.Withdrawn,
		{claims.Approved, claims.ActAppeal}:                     claims.Appealed,
		{claims.PartiallyApproved, claims.ActAppeal}:            claims.Appealed,
		{claims.Rejected, claims.ActAppeal}:                     claims.Appealed,
		{claims.Approved, claims.ActPay}:                        claims.Paid,
		{claims.PartiallyApproved, claims.ActPay}:               claims.Paid,
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
			if got, _ := claims.Next(claims.UnderReview, a, large); got != claims.PendingSecondApproval {
				t.Fatalf("%s of ₩500,001: got %s, want pending_second_approval", a, got)
			}
		}
	})
	t.Run("exactly the limit needs no second approval", func(t *testing.T) {
		at := claims.Decision{AmountKRW: 500_000, SecondApprovalAboveKRW: 500_000}
		if got, _ := claims.Next(claims.UnderReview, claims.ActApprove, at); got != claims.Approved {
			t.Fatalf("got %s, want approved", got)
		}
	})
	t.Run("second approval of a partial approval stays partial", func(t *testing.T) {
		if got, _ := claims.Next(claims.PendingSecondApproval, claims.ActSecondApprove, claims.Decision{Partial: true}); got != claims.PartiallyApproved {
			t.Fatalf("got %s, want partially_approved", got)
		}
	})
}
