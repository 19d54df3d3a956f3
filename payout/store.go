package payout

import (
	"context"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// Store is the persistence payouts need. Inside InTx every call, including
// AppendAudit, joins the transaction.
type Store interface {
	audit.Appender
	InTx(ctx context.Context, fn func(Store) error) error
	// PayableClaims returns up to limit claims with id > after, in id order,
	// that are approved or partially approved for a positive amount and are
	// in no payout item that is pending or paid; only those of outageID when
	// it is set.
	PayableClaims(ctx context.Context, outageID, after string, limit int) ([]models.Claim, error)
	// AddAllPayable, where the database can do it in one statement, puts
	// every payable claim (of outageID when set) into batchID as pending
	// items with database-generated ids, skipping claims a
	// concurrent build took, and returns handled = true with the count and
	// total. handled = false means the caller must page with PayableClaims.
	AddAllPayable(ctx context.Context, batchID, outageID string, now time.Time) (handled bool, count int, total int64, err error)
	// CreateBatch inserts b.
	CreateBatch(ctx context.Context, b *models.PayoutBatch) error
	// AddItems inserts items; a claim already in a live (pending or paid)
	// item is apperr.ErrConflict.
	AddItems(ctx context.Context, items []models.PayoutItem) error
	// UpdateBatch saves b's status, item count and total.
	UpdateBatch(ctx context.Context, b *models.PayoutBatch) error
	// Batch finds a batch; apperr.ErrNotFound when there is none.
	Batch(ctx context.Context, id string) (*models.PayoutBatch, error)
	// Batches lists up to limit batches, newest first.
	Batches(ctx context.Context, limit int) ([]models.PayoutBatch, error)
	// Lines returns up to limit items of batchID joined with their claims,
	// with item id > after, in item id order; only items in one of statuses
	// when given.
	Lines(ctx context.Context, batchID string, statuses []string, after string, limit int) ([]Line, error)
	// EachLine calls fn with every item of batchID (only those in one of
	// statuses when given) joined with its claim, in claim number order, as
	// the rows are read: memory stays flat however large the batch. An error
	// from fn stops the reading and is returned.
	EachLine(ctx context.Context, batchID string, statuses []string, fn func(Line) error) error
	// ItemForUpdate finds the item of claimID in batchID and locks it until
	// the transaction ends; apperr.ErrNotFound when there is none.
	ItemForUpdate(ctx context.Context, batchID, claimID string) (*models.PayoutItem, error)
	// SettleItem saves it's status, reference and settled_at if the stored
	// item is still pending; otherwise apperr.ErrConflict.
	SettleItem(ctx context.Context, it *models.PayoutItem) error
	// ClaimForUpdate finds a claim and locks it until the transaction ends.
	ClaimForUpdate(ctx context.Context, id string) (*models.Claim, error)
	// PayClaim saves c's status, version and updated_at if the stored
	// version is fromVersion, with the timeline event and outbox message;
	// otherwise apperr.ErrPreconditionFailed.
	PayClaim(ctx context.Context, c *models.Claim, fromVersion int, ev *models.ClaimEvent, out *models.OutboxMessage) error
	// AcceptedOfferOf finds the accepted offer (package offers) claimID was
	// made from; apperr.ErrNotFound when the claim came from none.
	AcceptedOfferOf(ctx context.Context, claimID string) (*models.Offer, error)
	// UpdateOffer saves an offer's status, version and updated_at if the
	// stored version is o.Version-1; otherwise apperr.ErrConflict.
	UpdateOffer(ctx context.Context, o *models.Offer) error
	// CountItems counts the items of batchID in status.
	CountItems(ctx context.Context, batchID, status string) (int64, error)
}

// Line is one batch item with the claim fields a transfer file and the API
// need. NumberSealed and KeyID are the sealed account number; only the
// transfer file opens them.
type Line struct {
	ItemID       string
	ClaimID      string
	ClaimantID   string
	Number       string
	AmountKRW    int64
	Status       string
	Reference    string
	Bank         string
	Holder       string
	NumberSealed string
	KeyID        string
	NumberMasked string
	// Fingerprint is the keyed hash of the account number: equal for
	// claims paid into the same account.
	Fingerprint string
}
