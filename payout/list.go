package payout

import (
	"context"

	"github.com/bosang/bosang/models"
)

// Payable is what a new batch would take: the approved, unpaid claims.
type Payable struct {
	Count    int
	TotalKRW int64
}

// Payable counts the approved, unpaid claims (of outageID when set) and
// their total, a page at a time. A caller other than a supervisor or admin
// is apperr.ErrForbidden.
func (s *Service) Payable(ctx context.Context, a Access, outageID string) (Payable, error) {
	var p Payable
	if err := authorize(a); err != nil {
		return p, err
	}
	for after := ""; ; {
		list, err := s.store.PayableClaims(ctx, outageID, after, pageSize)
		if err != nil {
			return p, err
		}
		for _, c := range list {
			p.Count++
			p.TotalKRW += c.ApprovedAmountKRW
		}
		if len(list) < pageSize {
			return p, nil
		}
		after = list[len(list)-1].ID
	}
}

// Batches lists the newest batches, at most limit (1 to MaxPage). A caller
// other than a supervisor or admin is apperr.ErrForbidden.
func (s *Service) Batches(ctx context.Context, a Access, limit int) ([]models.PayoutBatch, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	return s.store.Batches(ctx, min(max(limit, 1), MaxPage))
}
