package claims

import (
	"context"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// Store is the persistence claims needs. Missing rows are errors wrapping
// apperr.ErrNotFound; unique violations apperr.ErrConflict; a stale version
// apperr.ErrPreconditionFailed.
type Store interface {
	// AppendAudit (audit.Appender) joins the transaction inside InTx.
	audit.Appender
	InTx(ctx context.Context, fn func(Store) error) error

	Policies(ctx context.Context) ([]models.PolicyRecord, error)
	CreatePolicy(ctx context.Context, p *models.PolicyRecord) error

	Profiles(ctx context.Context, userID string) ([]models.Profile, error)
	PutProfile(ctx context.Context, p *models.Profile) error

	// NextClaimNumber returns the next serial for claims numbered in year.
	NextClaimNumber(ctx context.Context, year int) (int, error)
	// CreateClaim writes f: the claim, its estimate, first event and outbox
	// messages (each with its job), the audit entry f.Audit (without one it
	// writes nothing and returns audit.ErrMissing) and, with
	// f.Answer, the response of the request's in-flight idempotency key (an
	// error wrapping apperr.ErrConflict when the key is no longer in
	// flight), or ErrKeyUsed when it takes a key that exists. All or
	// nothing: inside InTx it joins that transaction, outside it runs in
	// one of its own (on PostgreSQL one statement, no BEGIN/COMMIT).
	CreateClaim(ctx context.Context, f Filing) error
	Claim(ctx context.Context, id string) (*models.Claim, error)
	ClaimFor(ctx context.Context, claimantID, outageID string, category models.ClaimCategory) (*models.Claim, error)
	Claims(ctx context.Context, f Filter) ([]models.Claim, error)
	// ClaimPage returns a claim with everything its page shows (see Page),
	// in one query where the database allows; a missing claim is
	// ErrNotFound.
	ClaimPage(ctx context.Context, id string) (*Page, error)
	// Estimates returns the estimates of each of claimIDs, oldest first, in
	// one query.
	Estimates(ctx context.Context, claimIDs ...string) (map[string][]models.ClaimEstimate, error)
	Events(ctx context.Context, claimID string) ([]models.ClaimEvent, error)
	// OutcomeDecisions returns, for each of claimIDs, its decisions that
	// approved, partially approved or rejected it or sent it to second
	// approval, oldest first, in one query.
	OutcomeDecisions(ctx context.Context, claimIDs ...string) (map[string][]models.Decision, error)
	// Payments returns the payout item settled as paid of each of claimIDs
	// that has one, in one query.
	Payments(ctx context.Context, claimIDs ...string) (map[string]models.PayoutItem, error)
	// UpdateClaim saves c if its stored version is c.Version-1, with the
	// event, outbox message and audit entry a of the change. It runs only
	// inside InTx (store.ErrNoTx otherwise), so the use case's transaction
	// commits all of it or nothing (audit.ErrMissing without a).
	UpdateClaim(ctx context.Context, c *models.Claim, ev *models.ClaimEvent, out *models.OutboxMessage, a *models.AuditEntry) error
	// ReplaceEstimate supersedes the claim's current estimate with e, with
	// the audit entry a of the change. It runs only inside InTx
	// (store.ErrNoTx otherwise); audit.ErrMissing without a.
	ReplaceEstimate(ctx context.Context, e *models.ClaimEstimate, now time.Time, a *models.AuditEntry) error
	// RepricePage returns up to limit claims in one of statuses with id >
	// after (all when after is ""), in id order.
	RepricePage(ctx context.Context, statuses []string, after string, limit int) ([]models.Claim, error)
	// RepriceEstimate supersedes the claim's current estimate with e and
	// points the claim at it, bumping its version, if the claim is still
	// at version; otherwise it writes nothing and returns an error wrapping
	// apperr.ErrPreconditionFailed. Call it inside InTx.
	RepriceEstimate(ctx context.Context, e *models.ClaimEstimate, version int, now time.Time) error

	// Enqueue adds an outbox message.
	Enqueue(ctx context.Context, m *models.OutboxMessage) error
	// EnqueueNew adds an outbox message unless one with its dedupe id is
	// there already (delivered or not), and reports whether it added it.
	EnqueueNew(ctx context.Context, m *models.OutboxMessage) (bool, error)
	// SupplementsDue lists up to limit claims in status
	// supplement_requested whose supplement is due from from to to (both
	// included), with id > after (all when after is ""), in id order.
	SupplementsDue(ctx context.Context, from, to time.Time, after string, limit int) ([]SupplementDue, error)

	EvidenceOf(ctx context.Context, claimID string) ([]models.Evidence, error)
	// EvidenceKinds returns the kinds of the files of each of claimIDs, in
	// one query.
	EvidenceKinds(ctx context.Context, claimIDs ...string) (map[string][]string, error)
	// AddEvidence records the file e with its audit entry a. It runs only
	// inside InTx (store.ErrNoTx otherwise); audit.ErrMissing without a.
	AddEvidence(ctx context.Context, e *models.Evidence, a *models.AuditEntry) error

	// ClaimKey records an in-flight request under (user, key). owned is true
	// when this call took the key: new, in flight for longer than stale, or
	// older than ttl; otherwise the existing row is returned as it stands.
	ClaimKey(ctx context.Context, k *models.IdempotencyKey, stale, ttl time.Duration) (existing *models.IdempotencyKey, owned bool, err error)
	// FinishKey stores the response of a request that took the key.
	FinishKey(ctx context.Context, userID, key string, status int, body string) error
	// ReleaseKey forgets an in-flight key after a failure worth retrying.
	ReleaseKey(ctx context.Context, userID, key string) error
}

// Filing is everything a new claim writes in its transaction.
type Filing struct {
	Claim    *models.Claim
	Estimate *models.ClaimEstimate
	Event    *models.ClaimEvent
	Outbox   []*models.OutboxMessage
	// Audit is the filing's audit entry, built by the use case; the store
	// writes it with the rest (on PostgreSQL in the same statement).
	Audit *models.AuditEntry
	// Answer, when set, finishes the request's idempotency key.
	Answer *KeyAnswer
}

// KeyAnswer is the response stored under an idempotency key.
type KeyAnswer struct {
	UserID, Key string
	Status      int
	Body        string
	// RequestHash, when set, makes the filing take the key itself: the key
	// is written answered (done, created at CreatedAt) by the filing's own
	// statement, and when the key already exists nothing at all is written
	// and CreateClaim returns ErrKeyUsed. Without it the filing finishes
	// the in-flight key its request took before.
	RequestHash string
	CreatedAt   time.Time
}

// Page is a claim with the rows its page shows: its estimates, events and
// files oldest first, its decisions that settled or proposed an outcome (as
// OutcomeDecisions) and its paid payout item, nil when there is none.
type Page struct {
	Claim     models.Claim
	Estimates []models.ClaimEstimate
	Events    []models.ClaimEvent
	Evidence  []models.Evidence
	Decisions []models.Decision
	Payment   *models.PayoutItem
}

// Filter selects claims. Zero fields select everything.
type Filter struct {
	ClaimantID string
	Status     []string
	Category   string
	OutageID   string
	MinKRW     *int64
	MaxKRW     *int64
	// Flag selects claims carrying this fraud or duplicate signal.
	Flag string
	// Query searches the claim number, the description and the claimant's
	// name, e-mail, phone and business number.
	Query string
	// Sort is "created_at" (default, oldest first), "-created_at",
	// "amount" or "-amount".
	Sort  string
	Limit int
	// After is the id of the last claim of the previous page; the page
	// continues after it in Sort order, ties broken by id. An unknown id,
	// or with ClaimantID set another claimant's claim, is ErrInvalid.
	After string
}
