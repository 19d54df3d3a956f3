package review

import "github.com/bosang/bosang/models"

// MaySecondApprove is the rule "four eyes on a large approval": the
// supervisor who made c's first decision may neither take nor give its
// second approval; anyone else may (that only supervisors and admins give
// second approvals is a separate rule of roles).
func MaySecondApprove(c *models.Claim, supervisorID string) bool {
	return c.DecidedBy == nil || *c.DecidedBy != supervisorID
}

// SecondQuery is what Store.LeaseNextSecond is asked to serve to
// Supervisor.
type SecondQuery struct {
	Supervisor string
	// SkipDecidedBy leaves out the claims whose first decision this user
	// made; empty leaves none out.
	SkipDecidedBy string
}

// secondQuery is the second-approval queue of supervisor under
// MaySecondApprove.
func secondQuery(supervisor *models.User) SecondQuery {
	return SecondQuery{Supervisor: supervisor.ID, SkipDecidedBy: supervisor.ID}
}
