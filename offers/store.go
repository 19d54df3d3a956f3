package offers

import (
	"context"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// Store is the persistence offers need. Missing rows are errors wrapping
// apperr.ErrNotFound; unique violations apperr.ErrConflict; a stale
// version apperr.ErrPreconditionFailed.
type Store interface {
	// AppendAudit (audit.Appender) joins the transaction inside InTx.
	audit.Appender
	InTx(ctx context.Context, fn func(Store) error) error

	// InsertOffers stores offers, skipping any whose (outage, account_ref)
	// is taken already, and returns how many it stored. It is what makes
	// an import idempotent.
	InsertOffers(ctx context.Context, offers []models.Offer) (int, error)
	// Offer finds an offer by id.
	Offer(ctx context.Context, id string) (*models.Offer, error)

	importStore
	answerStore
}
