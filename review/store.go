package review

import (
	"context"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// Store is the persistence review needs.
type Store interface {
	// AppendAudit (audit.Appender) joins the transaction inside InTx.
	audit.Appender
	InTx(ctx context.Context, fn func(Store) error) error
	// LeaseNext leases the oldest claim that is submitted, appealed or
	// under review with an expired lease, less those q leaves out, to
	// q.Reviewer until until, setting it under review; concurrent callers
	// never get the same claim. An empty queue is ErrNotFound. The caller
	// appends the lease's audit entry in the same transaction.
	LeaseNext(ctx context.Context, q NextQuery, now, until time.Time) (*models.Claim, error)
	// LeaseNextSecond leases the oldest claim pending second approval that
	// nobody holds (a claim the caller holds already is not served twice),
	// less those q leaves out, to q.Supervisor until until; its status
	// stays. None is ErrNotFound.
	LeaseNextSecond(ctx context.Context, q SecondQuery, now, until time.Time) (*models.Claim, error)
	// Lease saves c's lease (status, holder, expiry, version and time) if
	// the stored version is still fromVersion, with its audit entry a;
	// otherwise ErrPreconditionFailed (audit.ErrMissing without a). It runs
	// only inside InTx (store.ErrNoTx otherwise).
	Lease(ctx context.Context, c *models.Claim, fromVersion int, a *models.AuditEntry) error
	Claim(ctx context.Context, id string) (*models.Claim, error)
	// User finds a user (a lease holder) by id; none is ErrNotFound.
	User(ctx context.Context, id string) (*models.User, error)
	// Decide saves c (whose Version is the new one) if the stored version is
	// d.ClaimVersion, with the decision, the timeline event and the outbox
	// message and audit entry a; otherwise ErrPreconditionFailed
	// (audit.ErrMissing without a). It runs only inside InTx (store.ErrNoTx
	// otherwise).
	Decide(ctx context.Context, c *models.Claim, d *models.Decision, ev *models.ClaimEvent, out *models.OutboxMessage, a *models.AuditEntry) error
	Decisions(ctx context.Context, claimID string) ([]models.Decision, error)
	// AddEvidence records an uploaded file of a claim with its audit entry
	// a (audit.ErrMissing without a). It runs only inside InTx
	// (store.ErrNoTx otherwise).
	AddEvidence(ctx context.Context, e *models.Evidence, a *models.AuditEntry) error
	// Enqueue adds an outbox message; inside InTx it commits with the change.
	Enqueue(ctx context.Context, m *models.OutboxMessage) error
	// Queue lists open claims (submitted, under review, appealed, pending
	// second approval, supplement requested) matching f, oldest first.
	Queue(ctx context.Context, f QueueFilter) ([]models.Claim, error)
	// SignalFacts finds the facts behind the fraud and duplicate signals
	// of stored claim c, counting its address's claimants as rules say;
	// the same facts AutoCandidates finds for a page.
	SignalFacts(ctx context.Context, c *models.Claim, rules SignalRules) (SignalFacts, error)
	SetFlags(ctx context.Context, claimID, flags string) error
	// Related lists other claimants' open claims sharing a signal with c,
	// each with the flag of that signal and its stored flags.
	Related(ctx context.Context, c *models.Claim) ([]RelatedClaim, error)
	// AutoFacts returns a claim's current estimate and the kinds of its
	// evidence.
	AutoFacts(ctx context.Context, claimID string) (models.ClaimEstimate, []string, error)
	// SubmittedClaims lists claims still submitted, after the id cursor,
	// oldest first (for batch adjudication).
	SubmittedClaims(ctx context.Context, outageID, after string, limit int) ([]models.Claim, error)
}

// QueueFilter selects claims in the review queue.
type QueueFilter struct {
	Status   []string
	Category string
	OutageID string
	MinKRW   *int64
	MaxKRW   *int64
	Flag     string
	// OlderThan selects claims filed before this time.
	OlderThan *time.Time
	Limit     int
	After     string
}
