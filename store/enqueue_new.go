package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/models"
)

// EnqueueNew adds an outbox message unless one with the same dedupe id is
// there already (delivered or not), and reports whether it added it: the
// unique dedupe_id drops the repeat in the same statement, so two
// instances enqueueing at once add one row and one of them reports it. A
// row it adds is marked for the dispatcher (DispatchOutbox) in the same
// transaction, which queues its job at once when this process works jobs.
func (db *DB) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	added := false
	add := func(tx *DB) error {
		res := tx.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_id"}}, DoNothing: true}).Create(m)
		if res.Error != nil {
			return translate(res.Error, "enqueue message once")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		added = true
		return translate(tx.with(ctx).Exec(`INSERT INTO outbox_unqueued (outbox_id, topic) VALUES (?, ?)`, m.ID, m.Topic).Error, "mark message "+m.ID)
	}
	if db.sqlTx() != nil {
		err := add(db)
		return added, err
	}
	if err := db.InTx(ctx, add); err != nil {
		return false, err
	}
	if added {
		db.wakeDispatch()
	}
	return added, nil
}

// EnqueueNew is DB.EnqueueNew.
func (s ClaimStore) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	return s.db.EnqueueNew(ctx, m)
}

// EnqueueNew is DB.EnqueueNew.
func (s OutageStore) EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error) {
	return s.db.EnqueueNew(ctx, m)
}
