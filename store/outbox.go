package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// OutboxJobArg is the key of the outbox message id in the JSON arguments of
// every outbox job (package jobs); OrphanOutbox finds jobs by it.
const OutboxJobArg = "outbox_id"

// OutboxMessage finds one outbox message (apperr.ErrNotFound).
func (db *DB) OutboxMessage(ctx context.Context, id string) (*models.OutboxMessage, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("outbox message %q: %w", id, apperr.ErrNotFound)
	}
	var m models.OutboxMessage
	if err := db.with(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return nil, translate(err, "find outbox message "+id)
	}
	return &m, nil
}

// MarkOutboxDelivered settles a message at now (and clears a dead mark: an
// operator may have retried it through River directly).
func (db *DB) MarkOutboxDelivered(ctx context.Context, id string, now time.Time) error {
	return translate(db.with(ctx).Model(&models.OutboxMessage{}).Where("id = ?", id).
		Updates(map[string]any{"delivered_at": now.UTC(), "dead_at": nil}).Error, "mark delivered")
}

// RecordOutboxFailure counts a failed attempt of a message's job and keeps
// its reason (cut to 1,000 bytes); with dead, the job has used up its
// attempts and the message is marked dead at now.
func (db *DB) RecordOutboxFailure(ctx context.Context, id, reason string, now time.Time, dead bool) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	set := map[string]any{"last_error": reason, "attempts": gorm.Expr("attempts + 1")}
	if dead {
		set["dead_at"] = now.UTC()
	}
	return translate(db.with(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND delivered_at IS NULL", id).
		Updates(set).Error, "record delivery failure")
}

// DeadOutbox lists up to limit dead messages, the most recently dead first.
func (db *DB) DeadOutbox(ctx context.Context, limit int) ([]models.OutboxMessage, error) {
	var out []models.OutboxMessage
	err := db.with(ctx).Where("dead_at IS NOT NULL AND delivered_at IS NULL").Order("dead_at DESC, id").Limit(limit).Find(&out).Error
	return out, translate(err, "list dead messages")
}

// RedriveOutbox clears a dead message's mark and queues a new job for it
// through j, in one transaction. apperr.ErrNotFound when there is no such
// message, apperr.ErrConflict when it is not dead (delivered, or still
// retrying) or a job for it is queued or running (retried through River
// directly): a second live job could send it twice at once.
func (db *DB) RedriveOutbox(ctx context.Context, j JobInserter, id string) error {
	return db.InTx(ctx, func(tx *DB) error {
		m, err := tx.OutboxMessage(ctx, id)
		if err != nil {
			return err
		}
		if m.DeadAt == nil || m.DeliveredAt != nil {
			return fmt.Errorf("outbox message %s is not dead: %w", id, apperr.ErrConflict)
		}
		live, err := tx.hasLiveJob(ctx, id)
		if err != nil {
			return err
		}
		if live {
			return fmt.Errorf("outbox message %s has a job queued or running: %w", id, apperr.ErrConflict)
		}
		if err := tx.with(ctx).Model(&models.OutboxMessage{}).Where("id = ?", id).
			Updates(map[string]any{"dead_at": nil, "attempts": 0}).Error; err != nil {
			return translate(err, "redrive message")
		}
		m.DeadAt, m.Attempts = nil, 0
		return j.InsertOutboxJobs(ctx, tx.sqlTx(), []models.OutboxMessage{*m})
	})
}

// QueueOutboxJobs queues through j a new job for each of msgs, rows already
// in the outbox (the sweep's orphans), in one transaction.
func (db *DB) QueueOutboxJobs(ctx context.Context, j JobInserter, msgs []models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *DB) error { return j.InsertOutboxJobs(ctx, tx.sqlTx(), msgs) })
}

// PurgeDeliveredOutbox deletes up to limit messages delivered before
// before and returns how many it deleted; undelivered and dead messages
// stay.
func (db *DB) PurgeDeliveredOutbox(ctx context.Context, before time.Time, limit int) (int64, error) {
	res := db.with(ctx).Exec(`DELETE FROM outbox WHERE id IN
  (SELECT id FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ? ORDER BY delivered_at LIMIT ?)`, before.UTC(), limit)
	return res.RowsAffected, translate(res.Error, "purge delivered messages")
}

// PurgeIdempotencyKeys deletes up to limit idempotency keys taken before
// before (claims.KeyTTL ago: a retry that late is a new request anyway)
// and returns how many it deleted.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int64, error) {
	res := db.with(ctx).Exec(`DELETE FROM idempotency_keys WHERE (user_id, key) IN
  (SELECT user_id, key FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`, before.UTC(), limit)
	return res.RowsAffected, translate(res.Error, "purge idempotency keys")
}
