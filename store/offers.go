package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// OfferStore implements offers.Store.
type OfferStore struct{ db *DB }

// Offers returns the offers store.
func (db *DB) Offers() OfferStore { return OfferStore{db} }

var _ offers.Store = OfferStore{}

// InTx runs fn in one transaction.
func (s OfferStore) InTx(ctx context.Context, fn func(offers.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(OfferStore{tx}) })
}

// AppendAudit appends an audit entry; inside InTx it commits with the change.
func (s OfferStore) AppendAudit(ctx context.Context, e *models.AuditEntry) error {
	return s.db.Audit().AppendAudit(ctx, e)
}

// InsertOffers stores offers in batches, skipping any whose (outage,
// account_ref) is taken, and returns how many it stored.
func (s OfferStore) InsertOffers(ctx context.Context, os []models.Offer) (int, error) {
	if len(os) == 0 {
		return 0, nil
	}
	res := s.db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "outage_id"}, {Name: "account_ref"}}, DoNothing: true}).
		CreateInBatches(os, 500)
	return int(res.RowsAffected), translate(res.Error, "insert offers")
}

// Offer finds an offer by id; an unknown id is apperr.ErrNotFound.
func (s OfferStore) Offer(ctx context.Context, id string) (*models.Offer, error) {
	if s.db.dialect == Postgres && !validUUID(id) {
		return nil, apperr.ErrNotFound
	}
	var o models.Offer
	if err := s.db.with(ctx).Where("id = ?", id).Take(&o).Error; err != nil {
		return nil, translate(err, "find offer")
	}
	return &o, nil
}
