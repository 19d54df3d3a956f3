package claims

import "github.com/bosang/bosang/models"

// RepriceEffect is what a new policy's estimate does to a claim.
type RepriceEffect string

// The effects of re-pricing.
const (
	// RepriceReplace: the claim is undecided; the new estimate supersedes
	// the old one, up or down.
	RepriceReplace RepriceEffect = "replace"
	// RepriceAboveDecision: the claim is decided but unpaid and the new
	// estimate is higher than the decided amount; the estimate is recorded
	// and marked for a reviewer and the claimant, the decision stays.
	RepriceAboveDecision RepriceEffect = "above_decision"
	// RepriceKeep: the claim is decided but unpaid and the new estimate is
	// not higher; nothing changes, so a decided amount is never lowered.
	RepriceKeep RepriceEffect = "keep"
	// RepriceUntouched: paid, rejected or withdrawn claims are left alone.
	RepriceUntouched RepriceEffect = "untouched"
)

// RepriceRule decides what a newly published policy's estimate of newKRW
// does to a claim in status whose decided (approved) amount is decidedKRW:
// undecided claims take it; decided, unpaid claims keep their decision and
// record it only when it is higher; paid, rejected and withdrawn claims and
// unknown statuses are untouched.
func RepriceRule(status models.ClaimStatus, decidedKRW, newKRW int64) RepriceEffect {
	switch {
	case awaitsDecision(status):
		return RepriceReplace
	case decidedUnpaid(status):
		if newKRW > decidedKRW {
			return RepriceAboveDecision
		}
		return RepriceKeep
	}
	return RepriceUntouched
}

// awaitsDecision reports whether a claim in s awaits a decision: filed, in
// review, waiting for a supplement, or appealed. Unlike models' open group
// it leaves out a pending second approval, whose amount is already decided.
func awaitsDecision(s models.ClaimStatus) bool {
	return s == models.StatusSubmitted || s == models.StatusUnderReview || s == models.StatusSupplementRequested || s == models.StatusAppealed
}

// decidedUnpaid reports whether a claim in s has an amount decided (or
// awaiting its second approval) that is not paid yet.
func decidedUnpaid(s models.ClaimStatus) bool {
	return s == models.StatusApproved || s == models.StatusPartiallyApproved || s == models.StatusPendingSecondApproval
}

// RepricedStatuses are the statuses a re-pricing job looks at: those where
// RepriceRule can do anything.
var RepricedStatuses = []models.ClaimStatus{models.StatusSubmitted, models.StatusUnderReview, models.StatusSupplementRequested, models.StatusAppealed, models.StatusApproved, models.StatusPartiallyApproved, models.StatusPendingSecondApproval}
