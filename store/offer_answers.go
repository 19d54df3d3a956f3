package store

import (
	"context"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// User finds a user by id.
func (s OfferStore) User(ctx context.Context, id string) (*models.User, error) {
	return s.db.UserByID(ctx, id)
}

// OffersFor lists the offers naming phone or email (empty ones match
// nothing) or answered by userID, newest first.
func (s OfferStore) OffersFor(ctx context.Context, userID, phone, email string) ([]models.Offer, error) {
	var out []models.Offer
	q := s.db.with(ctx).Where("user_id = ?", userID)
	if phone != "" {
		q = q.Or("phone = ?", phone)
	}
	if email != "" {
		q = q.Or("email = ?", email)
	}
	if s.db.dialect == Postgres && !validUUID(userID) {
		return out, nil
	}
	return out, translate(q.Order("created_at DESC, id").Find(&out).Error, "list offers of a person")
}

// OfferByToken finds the offer whose link token hashes to tokenHash.
func (s OfferStore) OfferByToken(ctx context.Context, tokenHash string) (*models.Offer, error) {
	var o models.Offer
	if err := s.db.with(ctx).Where("token_hash = ?", tokenHash).Take(&o).Error; err != nil {
		return nil, translate(err, "find offer by token")
	}
	return &o, nil
}

// UpdateOffer saves o's answer if the stored version is o.Version-1;
// otherwise apperr.ErrConflict.
func (s OfferStore) UpdateOffer(ctx context.Context, o *models.Offer) error {
	res := s.db.with(ctx).Model(&models.Offer{}).Where("id = ? AND version = ?", o.ID, o.Version-1).Updates(map[string]any{
		"status": o.Status, "user_id": o.UserID, "claim_id": o.ClaimID, "chosen_settlement": o.ChosenSettlement,
		"acted_at": o.ActedAt, "version": o.Version, "updated_at": o.UpdatedAt})
	if err := translate(res.Error, "update offer"); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("offer %s was answered meanwhile: %w", o.ID, apperr.ErrConflict)
	}
	return nil
}

// OverdueOffers lists up to limit waiting offers whose window closed by now.
func (s OfferStore) OverdueOffers(ctx context.Context, now time.Time, limit int) ([]models.Offer, error) {
	var out []models.Offer
	err := s.db.with(ctx).Where("status = ? AND expires_at <= ?", string(offers.Offered), now.UTC()).Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "list overdue offers")
}

// Claims is the claims store of the same transaction.
func (s OfferStore) Claims() claims.Store { return s.db.Claims() }

// Ledger counts the offers of outageID by status with their amounts.
func (s OfferStore) Ledger(ctx context.Context, outageID string) ([]offers.LedgerGroup, error) {
	var rows []struct {
		Status    string
		Offers    int64
		AmountKRW int64 `gorm:"column:amount_krw"`
	}
	q := s.db.with(ctx).Model(&models.Offer{}).Select("status, COUNT(*) AS offers, COALESCE(SUM(amount_krw), 0) AS amount_krw").Group("status")
	if outageID != "" {
		q = q.Where("outage_id = ?", outageID)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "offer ledger")
	}
	out := make([]offers.LedgerGroup, len(rows))
	for i, r := range rows {
		out[i] = offers.LedgerGroup{Status: offers.Status(r.Status), Offers: r.Offers, AmountKRW: r.AmountKRW}
	}
	return out, nil
}

// TakeUp counts the offers of outageID accepted or contested per day of
// acted_at in Korea time (UTC+9, no daylight saving).
func (s OfferStore) TakeUp(ctx context.Context, outageID string) ([]offers.TakeUpDay, error) {
	day := "strftime('%Y-%m-%d', acted_at, '+9 hours')"
	if s.db.dialect == Postgres {
		day = "to_char(acted_at AT TIME ZONE 'UTC' + interval '9 hours', 'YYYY-MM-DD')"
	}
	var rows []offers.TakeUpDay
	q := s.db.with(ctx).Model(&models.Offer{}).Select(day+" AS day, COUNT(*) AS answered").
		Where("status IN ? AND acted_at IS NOT NULL", []string{string(offers.Accepted), string(offers.Contested), string(offers.Paid)}).
		Group("day").Order("day")
	if outageID != "" {
		q = q.Where("outage_id = ?", outageID)
	}
	return rows, translate(q.Scan(&rows).Error, "offer take-up")
}
