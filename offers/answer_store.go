package offers

import (
	"context"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// answerStore is what a person's answers to offers need of the Store.
type answerStore interface {
	// User finds a user by id (apperr.ErrNotFound when there is none).
	User(ctx context.Context, id string) (*models.User, error)
	// OffersFor lists, newest first, the offers whose phone is phone or
	// whose email is email (an empty one matches nothing), or that userID
	// answered.
	OffersFor(ctx context.Context, userID, phone, email string) ([]models.Offer, error)
	// OfferByToken finds the offer whose link token hashes to tokenHash
	// (apperr.ErrNotFound when there is none).
	OfferByToken(ctx context.Context, tokenHash string) (*models.Offer, error)
	// UpdateOffer saves o's status, user, claim, chosen settlement,
	// acted_at, version and updated_at if the stored version is
	// o.Version-1; otherwise it writes nothing and returns an error
	// wrapping apperr.ErrConflict (another answer won).
	UpdateOffer(ctx context.Context, o *models.Offer) error
	// OverdueOffers lists up to limit offers in status offered whose
	// expires_at is at or before now, in id order.
	OverdueOffers(ctx context.Context, now time.Time, limit int) ([]models.Offer, error)
	// Claims is the claims store of the same transaction (inside InTx),
	// so that a claim made from an offer commits with the offer's answer.
	Claims() claims.Store
	// Ledger counts the offers of outageID ("" for every outage) by
	// status, with their amounts.
	Ledger(ctx context.Context, outageID string) ([]LedgerGroup, error)
	// TakeUp counts the offers of outageID ("" for every outage) answered
	// by accepting or contesting (statuses accepted, contested, paid) per
	// day of acted_at in Korea time, oldest day first.
	TakeUp(ctx context.Context, outageID string) ([]TakeUpDay, error)
}
