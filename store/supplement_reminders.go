package store

import (
	"context"
	"github.com/bosang/bosang/models"
	"time"

	"github.com/bosang/bosang/claims"
)

// SupplementsDue lists up to limit claims awaiting a supplement due from
// from to to (both included), with id > after, in id order; only the
// columns a reminder needs are read.
func (s ClaimStore) SupplementsDue(ctx context.Context, from, to time.Time, after string, limit int) ([]claims.SupplementDue, error) {
	type row struct {
		ID              string    `gorm:"column:id"`
		Number          string    `gorm:"column:number"`
		ClaimantID      string    `gorm:"column:claimant_id"`
		SupplementDueAt time.Time `gorm:"column:supplement_due_at"`
	}
	q := s.g(ctx).Table("claims").Select("id, number, claimant_id, supplement_due_at").
		Where("status = ? AND supplement_due_at >= ? AND supplement_due_at <= ?", string(models.StatusSupplementRequested), from.UTC(), to.UTC())
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var rows []row
	if err := q.Order("id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "list supplements due")
	}
	out := make([]claims.SupplementDue, len(rows))
	for i, r := range rows {
		out[i] = claims.SupplementDue{ClaimID: r.ID, Number: r.Number, ClaimantID: r.ClaimantID, DueAt: r.SupplementDueAt.UTC()}
	}
	return out, nil
}
