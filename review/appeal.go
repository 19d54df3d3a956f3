package review

import "github.com/bosang/bosang/models"

// UnderAppeal reports whether c is an appeal waiting for its decision:
// appealed, or under review after an appeal.
func UnderAppeal(c *models.Claim) bool {
	return c.Status == models.StatusAppealed || c.Status == models.StatusUnderReview && c.AppealedAt != nil
}

// MayReviewAppeal is the rule "an appeal goes to another reviewer": the
// reviewer who decided c may neither take nor decide it while it is under
// appeal; anyone else may, and the rule says nothing about other claims.
func MayReviewAppeal(c *models.Claim, reviewerID string) bool {
	return !UnderAppeal(c) || c.DecidedBy == nil || *c.DecidedBy != reviewerID
}

// NextQuery is what Store.LeaseNext is asked to serve to Reviewer.
type NextQuery struct {
	Reviewer string
	// SkipAppealsDecidedBy leaves out claims under appeal (UnderAppeal)
	// that this user decided; empty leaves none out.
	SkipAppealsDecidedBy string
}

// nextQuery is the queue of reviewer under MayReviewAppeal.
func nextQuery(reviewer *models.User) NextQuery {
	return NextQuery{Reviewer: reviewer.ID, SkipAppealsDecidedBy: reviewer.ID}
}
