package review

import (
	"context"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
)

// leaseHolders answers Store.User for the lease holder named in Lease's
// refusal; no other Store method is called by leasable.
type leaseHolders struct{ Store }

func (leaseHolders) User(_ context.Context, id string) (*models.User, error) {
	return &models.User{ID: id, Role: models.RoleReviewer, Name: "홍길동"}, nil
}

// TestTurnOf pins each boundary of a staff member's turn on a claim, and
// that Lease (leasable) lets them take the claim exactly when their turn
// is to decide or to give the second approval and nobody else holds it
// (an admin decides over another's lease but does not take it): the page
// and the rule cannot drift apart.
func TestTurnOf(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ann := &models.User{ID: "ann", Role: models.RoleReviewer}
	sue := &models.User{ID: "sue", Role: models.RoleSupervisor}
	tom := &models.User{ID: "tom", Role: models.RoleSupervisor}
	root := &models.User{ID: "root", Role: models.RoleAdmin}
	id := func(s string) *string { return &s }
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, tc := range []struct {
		name string
		c    models.Claim
		u    *models.User
		want Turn
	}{
		{"a submitted claim is the reviewer's to decide", models.Claim{Status: models.StatusSubmitted}, ann, TurnDecide},
		{"an appeal of another's decision is the reviewer's to decide", models.Claim{Status: models.StatusAppealed, DecidedBy: id("bob")}, ann, TurnDecide},
		{"an appeal of the reviewer's own decision is not theirs", models.Claim{Status: models.StatusAppealed, DecidedBy: id("ann")}, ann, TurnOwnAppeal},
		{"an appeal under review stays not the decider's", models.Claim{Status: models.StatusUnderReview, DecidedBy: id("ann"), AppealedAt: at(-time.Hour)}, ann, TurnOwnAppeal},
		{"another's lease one second before it runs out holds", models.Claim{Status: models.StatusUnderReview, LeasedBy: id("bob"), LeaseExpiresAt: at(time.Second)}, ann, TurnHeld},
		{"another's lease at its expiry no longer holds", models.Claim{Status: models.StatusUnderReview, LeasedBy: id("bob"), LeaseExpiresAt: at(0)}, ann, TurnDecide},
		{"the reviewer's own live lease is theirs to decide", models.Claim{Status: models.StatusUnderReview, LeasedBy: id("ann"), LeaseExpiresAt: at(time.Minute)}, ann, TurnDecide},
		{"an admin is never held", models.Claim{Status: models.StatusUnderReview, LeasedBy: id("bob"), LeaseExpiresAt: at(time.Minute)}, root, TurnDecide},
		{"a second approval is not a reviewer's", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: id("tom")}, ann, TurnSupervisorOnly},
		{"a second approval of another's decision is the supervisor's", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: id("tom")}, sue, TurnSecond},
		{"a second approval of the supervisor's own decision is not theirs", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: id("tom")}, tom, TurnOwnFirstDecision},
		{"a second approval held by another supervisor", models.Claim{Status: models.StatusPendingSecondApproval, DecidedBy: id("tom"), LeasedBy: id("root"), LeaseExpiresAt: at(time.Minute)}, sue, TurnHeld},
		{"a claim waiting for a supplement", models.Claim{Status: models.StatusSupplementRequested}, ann, TurnSupplement},
		{"an approved claim is closed", models.Claim{Status: models.StatusApproved, DecidedBy: id("ann")}, ann, TurnClosed},
		{"a paid claim is closed", models.Claim{Status: models.StatusPaid}, sue, TurnClosed},
		{"a withdrawn claim is closed", models.Claim{Status: models.StatusWithdrawn}, root, TurnClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TurnOf(&tc.c, tc.u, now); got != tc.want {
				t.Fatalf("TurnOf: got %d, want %d", got, tc.want)
			}
			f := Facts{Status: tc.c.Status, LeasedBy: tc.c.LeasedBy, LeaseExpiresAt: tc.c.LeaseExpiresAt, DecidedBy: tc.c.DecidedBy, AppealedAt: tc.c.AppealedAt}
			if got := f.TurnOf(tc.u, now); got != tc.want {
				t.Errorf("Facts.TurnOf: got %d, want %d", got, tc.want)
			}
			s := &Service{store: leaseHolders{}}
			err := s.leasable(context.Background(), tc.u, &tc.c, now)
			takes := (tc.want == TurnDecide || tc.want == TurnSecond) && (!leaseLive(&tc.c, now) || Holds(&tc.c, tc.u, now))
			if may := takes; (err == nil) != may {
				t.Errorf("Lease: got %v, want it to take the claim: %v", err, may)
			}
		})
	}
}
