package review

import (
	"context"
	"github.com/bosang/bosang/models"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
)

// QueueItem is one claim as the review queue shows it: no name or account,
// yet its amounts and flags are its claimant's personal data (ClaimantID,
// never shown, says whose, for the access record).
type QueueItem struct {
	ID                string               `json:"id"`
	ClaimantID        string               `json:"-"`
	Number            string               `json:"number"`
	OutageID          string               `json:"outage_id"`
	Category          models.ClaimCategory `json:"category"`
	Status            models.ClaimStatus   `json:"status"`
	EstimateAmountKRW int64                `json:"estimate_amount_krw"`
	ClaimedAmountKRW  int64                `json:"claimed_amount_krw"`
	Flags             []string             `json:"flags"`
	CreatedAt         time.Time            `json:"created_at"`
	AgeDays           int                  `json:"age_days"`
	OverTarget        bool                 `json:"over_target"`
	LeaseExpiresAt    *time.Time           `json:"lease_expires_at"`
}

// check refuses filter values that databases would treat differently, as
// claims.Filter does: an outage or cursor that is not a UUID, and text with
// control characters or invalid UTF-8.
func (f QueueFilter) check() error {
	var fs apperr.Fields
	if f.OutageID != "" {
		input.ID(&fs, "outage_id", f.OutageID)
	}
	if f.After != "" {
		input.ID(&fs, "next", f.After)
	}
	for _, st := range f.Status {
		input.Line(&fs, "status", st, 40)
	}
	input.Line(&fs, "category", f.Category, 40)
	input.Line(&fs, "flag", f.Flag, 40)
	return fs.Err()
}

// Queue lists open claims matching f, oldest first, with their age against
// the review target.
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	list, err := s.store.Queue(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]QueueItem, len(list))
	for i, c := range list {
		age := now.Sub(c.CreatedAt)
		out[i] = QueueItem{ID: c.ID, ClaimantID: c.ClaimantID, Number: c.Number, OutageID: c.OutageID, Category: c.Category, Status: c.Status,
			EstimateAmountKRW: c.EstimateAmountKRW, ClaimedAmountKRW: c.ClaimedAmountKRW, Flags: storedFlags(c.Flags), CreatedAt: c.CreatedAt,
			AgeDays: int(age.Hours() / 24), OverTarget: age > s.settings.ReviewTarget, LeaseExpiresAt: c.LeaseExpiresAt}
	}
	return out, nil
}
