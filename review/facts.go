package review

import (
	"context"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// Facts are what the review and claim pages show about a claim besides its
// claims.View: its flags, who holds or decided it, the open supplement
// request and whether it may still be appealed. The caller has already
// checked that the viewer may see the claim.
type Facts struct {
	Status            models.ClaimStatus
	Flags             []string
	LeasedBy          *string
	LeaseExpiresAt    *time.Time
	DecidedBy         *string
	DecidedAt         *time.Time
	ApprovedAmountKRW int64
	// SupplementNote and SupplementDueAt are the open request, when the
	// claim is supplement_requested.
	SupplementNote  string
	SupplementDueAt *time.Time
	AppealedAt      *time.Time
	// AppealClosesAt is when the appeal window closes; CanAppeal whether
	// the claimant may appeal now (decided, not appealed, in the window).
	AppealClosesAt *time.Time
	CanAppeal      bool
}

// Facts returns the review facts of claim id.
func (s *Service) Facts(ctx context.Context, id string) (*Facts, error) {
	c, err := s.store.Claim(ctx, id)
	if err != nil {
		return nil, err
	}
	f := &Facts{Status: c.Status, Flags: storedFlags(c.Flags), LeasedBy: c.LeasedBy, LeaseExpiresAt: c.LeaseExpiresAt, DecidedBy: c.DecidedBy, DecidedAt: c.DecidedAt,
		ApprovedAmountKRW: c.ApprovedAmountKRW, SupplementDueAt: c.SupplementDueAt, AppealedAt: c.AppealedAt}
	status := c.Status
	if status == models.StatusSupplementRequested {
		list, err := s.store.Decisions(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].Action == string(claims.ActRequestSupplement) {
				f.SupplementNote = list[i].Note
				if f.SupplementDueAt == nil {
					f.SupplementDueAt = list[i].DueAt
				}
				break
			}
		}
	}
	if c.DecidedAt != nil {
		closes := c.DecidedAt.Add(s.settings.AppealWindow)
		f.AppealClosesAt = &closes
	}
	switch status {
	case models.StatusApproved, models.StatusPartiallyApproved, models.StatusRejected:
		f.CanAppeal = c.AppealedAt == nil && (f.AppealClosesAt == nil || s.now().Before(*f.AppealClosesAt))
	}
	return f, nil
}

// claim is the part of the claim the review rules read.
func (f *Facts) claim() *models.Claim {
	return &models.Claim{Status: f.Status, LeasedBy: f.LeasedBy, LeaseExpiresAt: f.LeaseExpiresAt, DecidedBy: f.DecidedBy, AppealedAt: f.AppealedAt}
}

// TurnOf is u's turn on the claim at now (TurnOf).
func (f *Facts) TurnOf(u *models.User, now time.Time) Turn { return TurnOf(f.claim(), u, now) }

// LeaseLive reports whether someone holds the claim's lease at now.
func (f *Facts) LeaseLive(now time.Time) bool { return leaseLive(f.claim(), now) }

// Holds reports whether u holds the claim's lease at now.
func (f *Facts) Holds(u *models.User, now time.Time) bool { return Holds(f.claim(), u, now) }
