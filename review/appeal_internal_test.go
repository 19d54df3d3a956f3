package review

import (
	"testing"
	"time"

	"github.com/bosang/bosang/models"
)

func TestMayReviewAppeal(t *testing.T) {
	ann, bob := "ann", "bob"
	appealed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		c        models.Claim
		reviewer string
		want     bool
	}{
		{"the decider may not review the appeal", models.Claim{Status: models.StatusAppealed, DecidedBy: &ann}, ann, false},
		{"another reviewer may", models.Claim{Status: models.StatusAppealed, DecidedBy: &ann}, bob, true},
		{"an appeal under review is still not the decider's", models.Claim{Status: models.StatusUnderReview, DecidedBy: &ann, AppealedAt: &appealed}, ann, false},
		{"an appeal of an automatic decision (no decider) is anyone's", models.Claim{Status: models.StatusAppealed}, ann, true},
		{"a claim under review without an appeal is not an appeal", models.Claim{Status: models.StatusUnderReview, DecidedBy: &ann}, ann, true},
		{"a submitted claim is not an appeal", models.Claim{Status: models.StatusSubmitted, DecidedBy: &ann}, ann, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MayReviewAppeal(&tc.c, tc.reviewer); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMaySecondApprove(t *testing.T) {
	ann, bob := "ann", "bob"
	for _, tc := range []struct {
		name       string
		c          models.Claim
		supervisor string
		want       bool
	}{
		{"the first decider may not give the second approval", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: &ann}, ann, false},
		{"another supervisor may", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: &ann}, bob, true},
		{"a claim without a first decider is anyone's", models.Claim{Status: models.StatusPendingSecondApproval}, ann, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaySecondApprove(&tc.c, tc.supervisor); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSecondQueryFollowsTheRule: the queue a supervisor is served leaves
// out exactly the claims MaySecondApprove refuses them.
func TestSecondQueryFollowsTheRule(t *testing.T) {
	sue := &models.User{ID: "sue"}
	q := secondQuery(sue)
	if q.Supervisor != sue.ID {
		t.Errorf("served to %q, want %q", q.Supervisor, sue.ID)
	}
	for _, decider := range []*string{nil, &sue.ID, new("tom")} {
		c := &models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: decider}
		skipped := c.DecidedBy != nil && *c.DecidedBy == q.SkipDecidedBy
		if skipped == MaySecondApprove(c, sue.ID) {
			t.Errorf("decided by %v: the query skips it %v, the rule allows it %v", decider, skipped, MaySecondApprove(c, sue.ID))
		}
	}
}
