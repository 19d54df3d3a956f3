package claims

import (
	"fmt"

	"github.com/bosang/bosang/apperr"
)

// Status is where a claim stands (API.md statuses).
type Status string

// The statuses.
const (
	Submitted             Status = "submitted"
	UnderReview           Status = "under_review"
	SupplementRequested   Status = "supplement_requested"
	PendingSecondApproval Status = "pending_second_approval"
	Approved              Status = "approved"
	PartiallyApproved     Status = "partially_approved"
	Rejected              Status = "rejected"
	Appealed              Status = "appealed"
	Withdrawn             Status = "withdrawn"
	Paid                  Status = "paid"
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

// Next is the claim state machine: the status after action on a claim in
// from, or an error wrapping apperr.ErrConflict naming the refused move.
func Next(from Status, action Action, d Decision) (Status, error) {
	to, ok := next(from, action, d)
	if !ok {
		return from, fmt.Errorf("cannot %s a claim that is %s: %w", action, from, apperr.ErrConflict)
	}
	return to, nil
}

func next(from Status, action Action, d Decision) (Status, bool) {
	approval := func(s Status) Status {
		if d.AmountKRW > d.SecondApprovalAboveKRW {
			return PendingSecondApproval
		}
		return s
	}
	switch action {
	case ActLease:
		return UnderReview, from == Submitted || from == Appealed
	case ActLeaseExpired:
		return Submitted, from == UnderReview
	case ActApprove:
		return approval(Approved), from == UnderReview
	case ActPartial:
		return approval(PartiallyApproved), from == UnderReview
	case ActReject:
		return Rejected, from == UnderReview || from == PendingSecondApproval
	case ActRequestSupplement:
		return SupplementRequested, from == UnderReview
	case ActSupplement:
		return Submitted, from == SupplementRequested
	case ActSecondApprove:
		if d.Partial {
			return PartiallyApproved, from == PendingSecondApproval
		}
		return Approved, from == PendingSecondApproval
	case ActSecondReject:
		return Submitted, from == PendingSecondApproval
	case ActAutoApprove:
		return Approved, from == Submitted
	case ActWithdraw:
		return Withdrawn, from == Submitted || from == UnderReview || from == SupplementRequested
	case ActAppeal:
		return Appealed, from == Approved || from == PartiallyApproved || from == Rejected
	case ActPay:
		return Paid, from == Approved || from == PartiallyApproved
	}
	return from, false
}

// Decided reports whether a status carries a decision (appeals start from these).
func (s Status) Decided() bool {
	return s == Approved || s == PartiallyApproved || s == Rejected
}
