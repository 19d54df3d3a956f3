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
