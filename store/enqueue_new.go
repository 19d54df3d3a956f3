package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/models"
)

// EnqueueNew adds an outbox message unless one with the same dedupe id is
// there already (delivered or not), and reports whether it added it: the
// unique dedupe_id drops the repeat in the same statement, so two
// instances enqueueing at once add one row and one of them reports it.
func (db *DB) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	res := db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_id"}}, DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, translate(res.Error, "enqueue message once")
	}
	return res.RowsAffected == 1, nil
}

// EnqueueNew is DB.EnqueueNew.
func (s ClaimStore) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	return s.db.EnqueueNew(ctx, m)
}

// EnqueueNew is DB.EnqueueNew.
func (s OutageStore) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	return s.db.EnqueueNew(ctx, m)
}
