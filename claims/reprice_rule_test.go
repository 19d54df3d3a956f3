package claims_test

import (
	"github.com/bosang/bosang/models"
	"slices"
	"testing"

	"github.com/bosang/bosang/claims"
)

// TestRepriceRule pins where a new policy's estimate may move a claim: an
// undecided claim follows it both ways; a decided amount is never lowered
// and a higher estimate is only recorded beside it; paid, rejected and
// withdrawn claims stay as they are.
func TestRepriceRule(t *testing.T) {
	for _, c := range []struct {
		name              string
		status            models.ClaimStatus
		decided, estimate int64
		want              claims.RepriceEffect
	}{
		{"submitted, lower: replaced", models.StatusSubmitted, 0, 10_000, claims.RepriceReplace},
		{"under review, lower than the old estimate: replaced", models.StatusUnderReview, 0, 1, claims.RepriceReplace},
		{"supplement requested: replaced", models.StatusSupplementRequested, 0, 30_000, claims.RepriceReplace},
		{"appealed after a partial approval, lower: replaced (the appeal reopens it)", models.StatusAppealed, 50_000, 20_000, claims.RepriceReplace},
		{"submitted, new estimate zero: replaced", models.StatusSubmitted, 0, 0, claims.RepriceReplace},
		{"approved, lower: kept", models.StatusApproved, 50_000, 49_999, claims.RepriceKeep},
		{"approved, equal: kept", models.StatusApproved, 50_000, 50_000, claims.RepriceKeep},
		{"approved, one won higher: recorded", models.StatusApproved, 50_000, 50_001, claims.RepriceAboveDecision},
		{"partially approved, lower: kept", models.StatusPartiallyApproved, 2_000, 1_000, claims.RepriceKeep},
		{"partially approved, equal: kept", models.StatusPartiallyApproved, 2_000, 2_000, claims.RepriceKeep},
		{"partially approved, higher: recorded", models.StatusPartiallyApproved, 2_000, 3_780, claims.RepriceAboveDecision},
		{"pending second approval, lower: kept", models.StatusPendingSecondApproval, 1_200_000, 50_000, claims.RepriceKeep},
		{"pending second approval, higher: recorded", models.StatusPendingSecondApproval, 600_000, 1_200_000, claims.RepriceAboveDecision},
		{"paid, higher: untouched", models.StatusPaid, 2_000, 1_000_000, claims.RepriceUntouched},
		{"paid, lower: untouched", models.StatusPaid, 50_000, 0, claims.RepriceUntouched},
		{"rejected, higher: untouched", models.StatusRejected, 0, 30_000, claims.RepriceUntouched},
		{"withdrawn, higher: untouched", models.StatusWithdrawn, 0, 30_000, claims.RepriceUntouched},
		{"unknown status: untouched", models.ClaimStatus("archived"), 0, 30_000, claims.RepriceUntouched},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := claims.RepriceRule(c.status, c.decided, c.estimate); got != c.want {
				t.Errorf("RepriceRule(%s, decided ₩%d, new ₩%d) = %s, want %s", c.status, c.decided, c.estimate, got, c.want)
			}
		})
	}
}

// TestRepricedStatuses checks that the job's status list is exactly the
// statuses where the rule can change something, so no claim the rule would
// re-price is left out of the job's pages.
func TestRepricedStatuses(t *testing.T) {
	for _, s := range allStatuses {
		acts := claims.RepriceRule(s, 0, 1) != claims.RepriceUntouched
		if listed := slices.Contains(claims.RepricedStatuses, s); listed != acts {
			t.Errorf("%s: in RepricedStatuses = %v, but the rule acts on it = %v", s, listed, acts)
		}
	}
}
