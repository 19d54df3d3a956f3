package claims

import (
	"fmt"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Action is something that happens to a claim.
type Action string

// The actions.
const (
	ActLease             Action = "lease"              // a reviewer takes it from the queue
	ActLeaseExpired      Action = "lease_expired"      // the lease ran out: back to the queue
	ActApprove           Action = "approve"            // full amount
	ActPartial           Action = "partial"            // reduced amount
	ActReject            Action = "reject"             // with a reason code
	ActRequestSupplement Action = "request_supplement" // ask the claimant for more
	ActSupplement        Action = "supplement"         // the claimant answers
	ActSecondApprove     Action = "second_approve"     // a supervisor confirms a large approval
	ActSecondReject      Action = "second_reject"      // a supervisor refuses it: back to review
	ActAutoApprove       Action = "auto_approve"       // the policy's rules approve without a person
	ActWithdraw          Action = "withdraw"           // the claimant withdraws before a decision
	ActAppeal            Action = "appeal"             // the claimant contests a decision
	ActPay               Action = "pay"                // the transfer went through
)

// Decision is what a transition needs to know besides the action.
type Decision struct {
	// AmountKRW is the approved amount (approve, partial).
	AmountKRW int64
	// SecondApprovalAboveKRW is the authority limit: approvals above it need
	// a supervisor's second approval.
	SecondApprovalAboveKRW int64
	// Partial records whether the pending approval was a partial one.
	Partial bool
}

// Next is the claim state machine over models.ClaimStatus: the status after action on a claim in
// from, or an error wrapping apperr.ErrConflict naming the refused move.
func Next(from models.ClaimStatus, action Action, d Decision) (models.ClaimStatus, error) {
	to, ok := next(from, action, d)
	if !ok {
		return from, fmt.Errorf("cannot %s a claim that is %s: %w", action, from, apperr.ErrConflict)
	}
	return to, nil
}

func next(from models.ClaimStatus, action Action, d Decision) (models.ClaimStatus, bool) {
	approval := func(s models.ClaimStatus) models.ClaimStatus {
		if d.AmountKRW > d.SecondApprovalAboveKRW {
			return models.StatusPendingSecondApproval
		}
		return s
	}
	switch action {
	case ActLease:
		return models.StatusUnderReview, from == models.StatusSubmitted || from == models.StatusAppealed
	case ActLeaseExpired:
		return models.StatusSubmitted, from == models.StatusUnderReview
	case ActApprove:
		return approval(models.StatusApproved), from == models.StatusUnderReview
	case ActPartial:
		return approval(models.StatusPartiallyApproved), from == models.StatusUnderReview
	case ActReject:
		return models.StatusRejected, from == models.StatusUnderReview || from == models.StatusPendingSecondApproval
	case ActRequestSupplement:
		return models.StatusSupplementRequested, from == models.StatusUnderReview
	case ActSupplement:
		return models.StatusSubmitted, from == models.StatusSupplementRequested
	case ActSecondApprove:
		if d.Partial {
			return models.StatusPartiallyApproved, from == models.StatusPendingSecondApproval
		}
		return models.StatusApproved, from == models.StatusPendingSecondApproval
	case ActSecondReject:
		return models.StatusSubmitted, from == models.StatusPendingSecondApproval
	case ActAutoApprove:
		return models.StatusApproved, from == models.StatusSubmitted
	case ActWithdraw:
		return models.StatusWithdrawn, from == models.StatusSubmitted || from == models.StatusUnderReview || from == models.StatusSupplementRequested
	case ActAppeal:
		return models.StatusAppealed, from == models.StatusApproved || from == models.StatusPartiallyApproved || from == models.StatusRejected
	case ActPay:
		return models.StatusPaid, from == models.StatusApproved || from == models.StatusPartiallyApproved
	}
	return from, false
}
