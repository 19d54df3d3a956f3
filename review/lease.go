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
	if err := s.store.Lease(ctx, c, from, a); err != nil {
		if errors.Is(err, apperr.ErrPreconditionFailed) {
			return nil, apperr.Explain(fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrConflict), "claim_changed",
				"다른 사람이 방금 이 청구를 변경했습니다. 새로고침한 뒤 다시 맡으세요.", "Someone changed this claim just now; reload it and take it again.")
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
			return apperr.Explain(fmt.Errorf("claim %s waits for a supervisor: %w", c.Number, apperr.ErrForbidden), "",
				"이 청구는 2차 승인을 기다립니다. 감독자만 맡을 수 있습니다.", "This claim waits for a second approval; only a supervisor can take it.")
		}
		if !MaySecondApprove(c, actor.ID) {
			return apperr.Explain(fmt.Errorf("claim %s was first decided by the caller: %w", c.Number, apperr.ErrForbidden), "",
				"직접 1차 결정한 청구는 2차 승인할 수 없습니다.", "You made the first decision on this claim; another supervisor gives the second approval.")
		}
		return nil
	}
	return notReviewable(c)
}

// notReviewable says why a claim in a status with no decision to make
// cannot be taken or decided.
func notReviewable(c *models.Claim) error {
	why := apperr.Message{KO: "이 청구는 지금 심사할 것이 없습니다.", EN: "This claim has nothing to review now."}
	switch c.Status {
	case models.StatusApproved, models.StatusPartiallyApproved, models.StatusRejected:
		why = apperr.Message{KO: "이미 결정된 청구입니다. 이의 신청이 있을 때만 다시 심사합니다.", EN: "This claim is decided already; it comes back for review only on appeal."}
	case models.StatusPaid:
		why = apperr.Message{KO: "이미 지급된 청구입니다.", EN: "This claim is paid already."}
	case models.StatusWithdrawn:
		why = apperr.Message{KO: "청구인이 철회한 청구입니다.", EN: "The claimant withdrew this claim."}
	case models.StatusSupplementRequested:
		why = apperr.Message{KO: "청구인의 보완 답변을 기다리고 있습니다. 답변이 오면 다시 심사합니다.", EN: "Waiting for the claimant's supplement; the claim comes back for review when they answer."}
	}
	return apperr.Explain(fmt.Errorf("claim %s is %s: nothing to review: %w", c.Number, c.Status, apperr.ErrConflict), "not_reviewable", why.KO, why.EN)
}

func ownAppeal(c *models.Claim) error {
	return apperr.Explain(fmt.Errorf("claim %s: an appeal goes to another reviewer: %w", c.Number, apperr.ErrForbidden), "",
		"직접 결정한 청구의 이의 신청은 다른 심사자가 맡습니다.", "You decided this claim; its appeal goes to another reviewer.")
}

// heldByOther is the conflict of a live lease held by someone other than
// actor, naming the holder by role and masked name and the lease's end.
func (s *Service) heldByOther(ctx context.Context, actor *models.User, c *models.Claim, now time.Time) error {
	if c.LeasedBy == nil || *c.LeasedBy == actor.ID || c.LeaseExpiresAt == nil || !c.LeaseExpiresAt.After(now) {
		return nil
	}
	ko, en := "다른 직원", "another staff member"
	if u, err := s.store.User(ctx, *c.LeasedBy); err == nil {
		role := roleNames[u.Role]
		ko, en = role.KO+" "+pii.MaskName(u.Name), role.EN+" "+pii.MaskName(u.Name)
	}
	until := c.LeaseExpiresAt.In(kst).Format("2006-01-02 15:04")
	return apperr.Explain(fmt.Errorf("claim %s is leased by %s until %s: %w", c.Number, *c.LeasedBy, until, apperr.ErrConflict), "lease_held",
		ko+"님이 "+until+"(KST)까지 맡고 있습니다.", "Held by "+en+" until "+until+" KST.")
}

// roleNames names staff roles in messages.
var roleNames = map[models.Role]apperr.Message{
	models.RoleReviewer:   {KO: "심사자", EN: "reviewer"},
	models.RoleSupervisor: {KO: "감독자", EN: "supervisor"},
	models.RoleAdmin:      {KO: "관리자", EN: "administrator"},
}

func errorsIsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
