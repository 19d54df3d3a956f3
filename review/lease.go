package review

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

var kst = time.FixedZone("KST", 9*3600)

// Lease leases the claim claimID to actor for the lease period and returns
// it: a submitted or appealed claim goes under review, one under review
// whose lease ran out (or is actor's own) is renewed, and a claim pending
// second approval is held by a supervisor without changing its status.
// Someone else's live lease is ErrConflict naming the holder (masked) and
// until when; a claim with nothing to review (decided, paid, withdrawn,
// waiting for the claimant) ErrConflict saying so; an appeal or second
// approval of actor's own decision, or a second approval by a reviewer,
// ErrForbidden; an operator ErrForbidden; an unknown claim ErrNotFound.
func (s *Service) Lease(ctx context.Context, actor *models.User, claimID string) (*claims.View, error) {
	if err := reviews(actor); err != nil {
		return nil, err
	}
	c, err := s.store.Claim(ctx, claimID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.leasable(ctx, actor, c, now); err != nil {
		return nil, err
	}
	from := c.Version
	s.lease(actor, c, now)
	a, err := s.auditEntry(ctx, leaseRecord(c, *c.LeaseExpiresAt))
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.Lease(ctx, c, from, a) }); err != nil {
		if errors.Is(err, apperr.ErrPreconditionFailed) {
			return nil, apperr.ExplainMsg(fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrConflict), "claim_changed",
				apperr.M("review.error.claim_changed"))
		}
		return nil, err
	}
	return s.claims.Get(ctx, actor, c.ID)
}

// takeForDecision checks that actor may decide c now and, for a submitted
// or appealed claim, puts it under review in memory so that the decision
// and its lease are one step (one version, one transaction). An admin
// overrides another's lease.
func (s *Service) takeForDecision(ctx context.Context, actor *models.User, c *models.Claim) error {
	now := s.now().UTC()
	if actor.Role != models.RoleAdmin {
		if err := s.heldByOther(ctx, actor, c, now); err != nil {
			return err
		}
	}
	if !MayReviewAppeal(c, actor.ID) {
		return ownAppeal(c)
	}
	switch c.Status {
	case models.StatusSubmitted, models.StatusAppealed:
		c.Status = models.StatusUnderReview
		return nil
	case models.StatusUnderReview, models.StatusPendingSecondApproval:
		return nil
	}
	return notReviewable(c)
}

// lease moves c to its leased state for actor (nothing is stored).
func (s *Service) lease(actor *models.User, c *models.Claim, now time.Time) {
	if st := c.Status; st == models.StatusSubmitted || st == models.StatusAppealed {
		c.Status = models.StatusUnderReview
	}
	until := now.Add(s.settings.LeaseFor)
	c.LeasedBy, c.LeaseExpiresAt = &actor.ID, &until
	c.Version, c.UpdatedAt = c.Version+1, now
}

// leasable says why actor may not take c now, or nil.
func (s *Service) leasable(ctx context.Context, actor *models.User, c *models.Claim, now time.Time) error {
	if err := s.heldByOther(ctx, actor, c, now); err != nil {
		return err
	}
	if !MayReviewAppeal(c, actor.ID) {
		return ownAppeal(c)
	}
	switch c.Status {
	case models.StatusSubmitted, models.StatusUnderReview, models.StatusAppealed:
		return nil
	case models.StatusPendingSecondApproval:
		if actor.Role != models.RoleSupervisor && actor.Role != models.RoleAdmin {
			return apperr.ExplainMsg(fmt.Errorf("claim %s waits for a supervisor: %w", c.Number, apperr.ErrForbidden), "",
				apperr.M("review.error.supervisor_only"))
		}
		if !MaySecondApprove(c, actor.ID) {
			return apperr.ExplainMsg(fmt.Errorf("claim %s was first decided by the caller: %w", c.Number, apperr.ErrForbidden), "",
				apperr.M("review.error.own_first_decision"))
		}
		return nil
	}
	return notReviewable(c)
}

// notReviewable says why a claim in a status with no decision to make
// cannot be taken or decided.
func notReviewable(c *models.Claim) error {
	why := apperr.M("review.error.nothing_to_review")
	switch c.Status {
	case models.StatusApproved, models.StatusPartiallyApproved, models.StatusRejected:
		why = apperr.M("review.error.decided")
	case models.StatusPaid:
		why = apperr.M("review.error.paid")
	case models.StatusWithdrawn:
		why = apperr.M("review.error.withdrawn")
	case models.StatusSupplementRequested:
		why = apperr.M("review.error.awaiting_supplement")
	}
	return apperr.ExplainMsg(fmt.Errorf("claim %s is %s: nothing to review: %w", c.Number, c.Status, apperr.ErrConflict), "not_reviewable", why)
}

func ownAppeal(c *models.Claim) error {
	return apperr.ExplainMsg(fmt.Errorf("claim %s: an appeal goes to another reviewer: %w", c.Number, apperr.ErrForbidden), "",
		apperr.M("review.error.own_appeal"))
}

// heldByOther is the conflict of a live lease held by someone other than
// actor, naming the holder by role and masked name and the lease's end.
func (s *Service) heldByOther(ctx context.Context, actor *models.User, c *models.Claim, now time.Time) error {
	if c.LeasedBy == nil || *c.LeasedBy == actor.ID || c.LeaseExpiresAt == nil || !c.LeaseExpiresAt.After(now) {
		return nil
	}
	holder := apperr.M("review.holder.unknown")
	if u, err := s.store.User(ctx, *c.LeasedBy); err == nil {
		holder = apperr.M("review.holder.staff", map[string]any{"role": roleName(u.Role), "name": pii.MaskName(u.Name)})
	}
	until := c.LeaseExpiresAt.In(kst).Format("2006-01-02 15:04")
	return apperr.ExplainMsg(fmt.Errorf("claim %s is leased by %s until %s: %w", c.Number, *c.LeasedBy, until, apperr.ErrConflict), "lease_held",
		apperr.M("review.error.lease_held", map[string]any{"holder": holder, "until": until}))
}

// roleName names a staff role in messages; a role that holds no lease
// reads as an empty string, as before the holder's name.
func roleName(r models.Role) any {
	switch r {
	case models.RoleReviewer:
		return apperr.M("review.holder.reviewer")
	case models.RoleSupervisor:
		return apperr.M("review.holder.supervisor")
	case models.RoleAdmin:
		return apperr.M("review.holder.admin")
	}
	return ""
}

func errorsIsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
