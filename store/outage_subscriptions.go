package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Subscribe stores s unless the outage already has a subscription for the
// address; it reports whether s was stored, so that the caller mails a
// confirmation only for a new row and answers alike either way.
func (s OutageStore) Subscribe(ctx context.Context, sub *models.OutageSubscription) (bool, error) {
	res := s.db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "outage_id"}, {Name: "email"}}, DoNothing: true}).Create(sub)
	if res.Error != nil {
		return false, translate(res.Error, "subscribe to outage")
	}
	return res.RowsAffected == 1, nil
}

// SubscriptionByTokenHash finds the subscription whose link token hashes to
// hash; none is apperr.ErrNotFound.
func (s OutageStore) SubscriptionByTokenHash(ctx context.Context, hash string) (*models.OutageSubscription, error) {
	var sub models.OutageSubscription
	err := s.db.with(ctx).Where("token_hash = ?", hash).Take(&sub).Error
	if err != nil {
		return nil, translate(err, "find subscription")
	}
	return &sub, nil
}

// ConfirmSubscription marks subscription id confirmed at now, unless it
// already is; an unknown id is apperr.ErrNotFound.
func (s OutageStore) ConfirmSubscription(ctx context.Context, id string, now time.Time) error {
	return s.setOnce(ctx, id, "confirmed_at", now)
}

// Unsubscribe marks subscription id unsubscribed at now, unless it already
// is; an unknown id is apperr.ErrNotFound.
func (s OutageStore) Unsubscribe(ctx context.Context, id string, now time.Time) error {
	return s.setOnce(ctx, id, "unsubscribed_at", now)
}

func (s OutageStore) setOnce(ctx context.Context, id, column string, now time.Time) error {
	if s.db.dialect == Postgres && !validUUID(id) {
		return apperr.ErrNotFound
	}
	var n int64
	if err := s.db.with(ctx).Model(&models.OutageSubscription{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err, "find subscription")
	}
	if n == 0 {
		return apperr.ErrNotFound
	}
	return translate(s.db.with(ctx).Model(&models.OutageSubscription{}).Where("id = ? AND "+column+" IS NULL", id).
		Update(column, now.UTC()).Error, "update subscription")
}

// Subscribers lists the confirmed, not unsubscribed subscriptions of an
// outage, oldest first.
func (s OutageStore) Subscribers(ctx context.Context, outageID string) ([]models.OutageSubscription, error) {
	var out []models.OutageSubscription
	err := s.db.with(ctx).Where("outage_id = ? AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL", outageID).
		Order("created_at, id").Find(&out).Error
	return out, translate(err, "list subscribers")
}

// EnqueueOnce adds an outbox message unless one with the same dedupe id is
// there already.
func (s OutageStore) EnqueueOnce(ctx context.Context, m *models.OutboxMessage) error {
	return s.db.EnqueueOnce(ctx, m)
}
