package store

import (
	"context"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

var _ notify.Store = (*DB)(nil)

// LeaseOutbox leases due messages in one statement; on PostgreSQL with FOR
// UPDATE SKIP LOCKED so concurrent dispatchers never take the same row, on
// SQLite the single writer makes the statement atomic.
func (db *DB) LeaseOutbox(ctx context.Context, n int, now time.Time, lease time.Duration) ([]models.OutboxMessage, error) {
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now = now.UTC()
	var out []models.OutboxMessage
	err := db.with(ctx).Raw(`UPDATE outbox SET leased_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND available_at <= ?
  AND (leased_until IS NULL OR leased_until < ?) ORDER BY available_at, id LIMIT ?`+lock+`)
RETURNING *`, now.Add(lease), now, now, n).Scan(&out).Error
	return out, translate(err, "lease outbox")
}

// MarkDelivered settles a message.
func (db *DB) MarkDelivered(ctx context.Context, id string, now time.Time) error {
	return translate(db.with(ctx).Model(&models.OutboxMessage{}).Where("id = ?", id).
		Updates(map[string]any{"delivered_at": now.UTC(), "leased_until": nil}).Error, "mark delivered")
}

// MarkFailed makes a message due again at retryAt.
func (db *DB) MarkFailed(ctx context.Context, id, reason string, retryAt time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return translate(db.with(ctx).Model(&models.OutboxMessage{}).Where("id = ?", id).
		Updates(map[string]any{"available_at": retryAt.UTC(), "leased_until": nil, "last_error": reason}).Error, "mark failed")
}
