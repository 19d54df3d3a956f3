package store

import (
	"context"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// AcceptedOfferOf finds the accepted offer claimID was made from.
func (s PayoutStore) AcceptedOfferOf(ctx context.Context, claimID string) (*models.Offer, error) {
	var o models.Offer
	err := s.db.with(ctx).Where("claim_id = ? AND status = ?", claimID, string(offers.Accepted)).Take(&o).Error
	if err != nil {
		return nil, translate(err, "find the offer of a claim")
	}
	return &o, nil
}

// UpdateOffer saves an offer's new status if its version has not moved.
func (s PayoutStore) UpdateOffer(ctx context.Context, o *models.Offer) error {
	return s.db.Offers().UpdateOffer(ctx, o)
}
