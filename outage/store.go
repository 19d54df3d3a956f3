package outage

import (
	"context"
	"time"

	"github.com/bosang/bosang/models"
)

// Store is the persistence outage needs. Missing rows are errors wrapping
// apperr.ErrNotFound; unique violations, apperr.ErrConflict.
type Store interface {
	// InTx runs fn with a Store bound to one transaction.
	InTx(ctx context.Context, fn func(Store) error) error

	CreateProvider(ctx context.Context, p *models.Provider) error
	ProviderByName(ctx context.Context, name string) (*models.Provider, error)
	// CreateService inserts s with its features and dependencies. It runs
	// only inside InTx (store.ErrNoTx otherwise).
	CreateService(ctx context.Context, s *models.Service, features []models.Feature, deps []models.Dependency) error
	// Catalog returns every service with its provider, features and the
	// features it depends on, ordered by code.
	Catalog(ctx context.Context) ([]CatalogEntry, error)

	// CreateOutage, UpdateOutage, AddNotice and AddUpdate write their change
	// with its audit entry a. They run only inside InTx (store.ErrNoTx
	// otherwise), so the use case's transaction commits all of it or
	// nothing; without a they write nothing and return audit.ErrMissing.
	CreateOutage(ctx context.Context, o *models.Outage, features []models.OutageFeature, a *models.AuditEntry) error
	// UpdateOutage saves o and replaces its features if o.Version-1 is still
	// the stored version; otherwise it fails with apperr.ErrPreconditionFailed.
	UpdateOutage(ctx context.Context, o *models.Outage, features []models.OutageFeature, rev *models.OutageRevision, a *models.AuditEntry) error
	Outage(ctx context.Context, id string) (*Record, error)
	// Outages lists outages matching f, newest start first, with their
	// features and notices (not timeline or revisions).
	Outages(ctx context.Context, f Filter) ([]Record, error)
	AddNotice(ctx context.Context, n *models.Notice, a *models.AuditEntry) error
	AddUpdate(ctx context.Context, u *models.OutageUpdate, a *models.AuditEntry) error
	SubscriptionStore
	// EnqueueNew adds an outbox message unless one with its dedupe id is
	// there already (delivered or not), and reports whether it added it.
	EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error)
}

// CatalogEntry is a service as the catalogue shows it.
type CatalogEntry struct {
	Service  models.Service
	Provider models.Provider
	Features []models.Feature
	// DependsOn are the features of other services this one is built on.
	DependsOn []DependencyRef
}

// DependencyRef names a feature of another service.
type DependencyRef struct {
	ServiceID   string
	ServiceCode string
	FeatureID   string
	FeatureCode string
	FeatureName string
}

// Record is an outage with everything recorded about it.
type Record struct {
	Outage    models.Outage
	Service   models.Service
	Provider  models.Provider
	Features  []FeatureState
	Notices   []models.Notice
	Updates   []models.OutageUpdate
	Revisions []models.OutageRevision
}

// FeatureState is an affected feature and its own restoration time, if it
// came back before the outage ended.
type FeatureState struct {
	Feature    models.Feature
	RestoredAt *time.Time
}

// Filter selects outages. Zero fields select everything.
type Filter struct {
	ServiceID string
	// ServiceIDs, when set, selects outages of any of these services.
	ServiceIDs []string
	// From and To select outages overlapping [From, To).
	From, To *time.Time
	// Ongoing selects open (true) or closed (false) outages.
	Ongoing *bool
	Limit   int
	// After is the cursor: the id of the last outage of the previous page.
	After string
	// MissingNotice, when set, selects outages lacking a recorded notice
	// of at least one of these kinds.
	MissingNotice []string
}
