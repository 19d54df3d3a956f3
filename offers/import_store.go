package offers

import (
	"context"

	"github.com/bosang/bosang/models"
)

// importStore is what imports need of the Store (import.go).
type importStore interface {
	// CreateImport stores a new import.
	CreateImport(ctx context.Context, imp *models.OfferImport) error
	// Import finds an import by id (apperr.ErrNotFound).
	Import(ctx context.Context, id string) (*models.OfferImport, error)
	// UpdateImport stores imp's status, counts, errors, failure, progress
	// and finish time if the stored row still has version fromVersion, and
	// sets its version to fromVersion+1 (imp.Version too); otherwise it
	// changes nothing and returns apperr.ErrPreconditionFailed.
	UpdateImport(ctx context.Context, imp *models.OfferImport, fromVersion int) error
	// InsertNewOffers stores offers, skipping any whose (outage,
	// account_ref) is taken, and returns the ids of those it stored.
	InsertNewOffers(ctx context.Context, offers []models.Offer) ([]string, error)
	// EnqueueMessages adds outbox messages, skipping any whose dedupe id is
	// there already, each with its job, and returns how many it added.
	EnqueueMessages(ctx context.Context, msgs []models.OutboxMessage) (int, error)
	// OutageProvider returns the id of the provider whose service an
	// outage hit (apperr.ErrNotFound for an unknown outage).
	OutageProvider(ctx context.Context, outageID string) (string, error)
	// OutageOffers lists an outage's offers matching f, newest first, at
	// most limit, after the offer with id f.After when set.
	OutageOffers(ctx context.Context, outageID string, f OfferFilter, limit int) ([]models.Offer, error)
	// EachGrantedOffer calls fn with each offer of an outage the provider
	// must apply in its billing: granted ones, and those accepted as a
	// bill credit; in account_ref order, reading in pages, stopping at
	// fn's first error.
	EachGrantedOffer(ctx context.Context, outageID string, fn func(models.Offer) error) error
}

// OfferFilter selects an outage's offers for staff. Zero fields select
// everything. Q matches an account_ref exactly or a name's start.
type OfferFilter struct {
	Status   Status
	Category string
	Q        string
	// After is the id of the last offer of the previous page.
	After string
}
