package review

import (
	"time"

	"github.com/bosang/bosang/models"
)

// Turn is what a staff member may do with a claim now under the review
// rules (the lease, "an appeal goes to another reviewer", "four eyes on a
// large approval", who gives second approvals). The review page shows it;
// Lease and Decide enforce the same rules.
type Turn int

const (
	// TurnClosed: nothing to review (decided, paid, withdrawn).
	TurnClosed Turn = iota
	// TurnHeld: someone else's lease is live (an admin is never held).
	TurnHeld
	// TurnOwnAppeal: under appeal, and the user made the decision appealed
	// (MayReviewAppeal).
	TurnOwnAppeal
	// TurnDecide: the user may take the claim, or holds it, and decide it.
	TurnDecide
	// TurnOwnFirstDecision: awaiting the second approval of the user's
	// own first decision (MaySecondApprove).
	TurnOwnFirstDecision
	// TurnSupervisorOnly: awaiting a second approval, which the user's
	// role cannot give.
	TurnSupervisorOnly
	// TurnSecond: the user may take the claim, or holds it, and give or
	// refuse the second approval.
	TurnSecond
	// TurnSupplement: waiting for the claimant's supplement.
	TurnSupplement
)

// Holds reports whether u holds c's lease at now.
func Holds(c *models.Claim, u *models.User, now time.Time) bool {
	return leaseLive(c, now) && *c.LeasedBy == u.ID
}

func leaseLive(c *models.Claim, now time.Time) bool {
	return c.LeasedBy != nil && c.LeaseExpiresAt != nil && c.LeaseExpiresAt.After(now)
}

// TurnOf is u's turn on c at now.
func TurnOf(c *models.Claim, u *models.User, now time.Time) Turn {
	st := c.Status
	switch {
	case leaseLive(c, now) && !Holds(c, u, now) && u.Role != models.RoleAdmin &&
		(st == models.StatusUnderReview || st == models.StatusPendingSecondApproval):
		return TurnHeld
	case !MayReviewAppeal(c, u.ID):
		return TurnOwnAppeal
	case st == models.StatusUnderReview || st == models.StatusSubmitted || st == models.StatusAppealed:
		return TurnDecide
	case st == models.StatusPendingSecondApproval && !MaySecondApprove(c, u.ID):
		return TurnOwnFirstDecision
	case st == models.StatusPendingSecondApproval && u.Role != models.RoleSupervisor && u.Role != models.RoleAdmin:
		return TurnSupervisorOnly
	case st == models.StatusPendingSecondApproval:
		return TurnSecond
	case st == models.StatusSupplementRequested:
		return TurnSupplement
	}
	return TurnClosed
}
