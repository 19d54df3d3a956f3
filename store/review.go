package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

// ReviewStore implements review.Store.
type ReviewStore struct{ db *DB }

// Review returns the review store.
func (db *DB) Review() ReviewStore { return ReviewStore{db} }

var _ review.Store = ReviewStore{}

// InTx runs fn in one transaction.
func (s ReviewStore) InTx(ctx context.Context, fn func(review.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(ReviewStore{tx}) })
}

func (s ReviewStore) g(ctx context.Context) *gorm.DB { return s.db.with(ctx) }

// LeaseNext leases the oldest available claim that q asks for in one UPDATE; on PostgreSQL
// the inner SELECT skips rows other transactions have locked, so concurrent
// reviewers take different claims; SQLite's single writer makes it atomic.
func (s ReviewStore) LeaseNext(ctx context.Context, q review.NextQuery, now, until time.Time) (*models.Claim, error) {
	lock := ""
	if s.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now = now.UTC()
	// review.UnderAppeal, less the appeals q.SkipAppealsDecidedBy decided.
	skip, args := "", []any{q.Reviewer, until.UTC(), now, now}
	if q.SkipAppealsDecidedBy != "" {
		skip = ` AND NOT ((status = 'appealed' OR status = 'under_review' AND appealed_at IS NOT NULL) AND decided_by IS NOT NULL AND decided_by = ?)`
		args = append(args, q.SkipAppealsDecidedBy)
	}
	var out []models.Claim
	err := s.g(ctx).Raw(`UPDATE claims SET status = 'under_review', leased_by = ?, lease_expires_at = ?, version = version + 1, updated_at = ?
WHERE id = (SELECT id FROM claims
  WHERE (status IN ('submitted', 'appealed') OR (status = 'under_review' AND lease_expires_at < ?))`+skip+`
  ORDER BY created_at, id LIMIT 1`+lock+`)
RETURNING *`, args...).Scan(&out).Error
	if err != nil {
		return nil, translate(err, "lease next claim")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("review queue: %w", apperr.ErrNotFound)
	}
	return &out[0], nil
}

// LeaseNextSecond leases the oldest claim pending second approval that
// nobody holds, less those q leaves out, in one UPDATE (skipping rows other
// transactions lock on PostgreSQL, as LeaseNext).
func (s ReviewStore) LeaseNextSecond(ctx context.Context, q review.SecondQuery, now, until time.Time) (*models.Claim, error) {
	lock := ""
	if s.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now = now.UTC()
	// review.MaySecondApprove: q.SkipDecidedBy's own first decisions.
	skip, args := "", []any{q.Supervisor, until.UTC(), now, now}
	if q.SkipDecidedBy != "" {
		skip = ` AND (decided_by IS NULL OR decided_by <> ?)`
		args = append(args, q.SkipDecidedBy)
	}
	var out []models.Claim
	err := s.g(ctx).Raw(`UPDATE claims SET leased_by = ?, lease_expires_at = ?, version = version + 1, updated_at = ?
WHERE id = (SELECT id FROM claims
  WHERE status = 'pending_second_approval' AND (leased_by IS NULL OR lease_expires_at IS NULL OR lease_expires_at < ?)`+skip+`
  ORDER BY created_at, id LIMIT 1`+lock+`)
RETURNING *`, args...).Scan(&out).Error
	if err != nil {
		return nil, translate(err, "lease next second approval")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("second approvals: %w", apperr.ErrNotFound)
	}
	return &out[0], nil
}

// Lease saves a claim's lease if its version has not moved, with the
// lease's audit entry a. It runs only inside InTx (store.ErrNoTx
// otherwise); audit.ErrMissing without a.
func (s ReviewStore) Lease(ctx context.Context, c *models.Claim, fromVersion int, a *models.AuditEntry) error {
	if err := s.db.needTx("lease claim " + c.ID); err != nil {
		return err
	}
	if err := needAudit(a, "lease claim "+c.ID); err != nil {
		return err
	}
	res := s.g(ctx).Model(&models.Claim{}).Where("id = ? AND version = ?", c.ID, fromVersion).Updates(map[string]any{
		"status": c.Status, "version": c.Version, "updated_at": c.UpdatedAt.UTC(), "leased_by": c.LeasedBy,
		"lease_expires_at": c.LeaseExpiresAt.UTC(),
	})
	if res.Error != nil {
		return translate(res.Error, "lease claim")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrPreconditionFailed)
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// User finds a user by id.
func (s ReviewStore) User(ctx context.Context, id string) (*models.User, error) {
	return s.db.UserByID(ctx, id)
}

// Claim finds a claim.
func (s ReviewStore) Claim(ctx context.Context, id string) (*models.Claim, error) {
	return s.db.Claims().Claim(ctx, id)
}

// Decide saves a decided claim if its version has not moved, with its
// decision, event, outbox message and audit entry a. It runs only inside
// InTx (store.ErrNoTx otherwise); audit.ErrMissing without a.
func (s ReviewStore) Decide(ctx context.Context, c *models.Claim, d *models.Decision, ev *models.ClaimEvent, out *models.OutboxMessage, a *models.AuditEntry) error {
	if err := s.db.needTx("decide claim " + c.ID); err != nil {
		return err
	}
	if err := needAudit(a, "decide claim "+c.ID); err != nil {
		return err
	}
	g := s.g(ctx)
	res := g.Model(&models.Claim{}).Where("id = ? AND version = ?", c.ID, d.ClaimVersion).Updates(map[string]any{
		"status": c.Status, "version": c.Version, "updated_at": c.UpdatedAt, "leased_by": c.LeasedBy,
		"lease_expires_at": c.LeaseExpiresAt, "decided_by": c.DecidedBy, "decided_at": c.DecidedAt,
		"approved_amount_krw": c.ApprovedAmountKRW, "appealed_at": c.AppealedAt, "supplement_due_at": c.SupplementDueAt,
	})
	if res.Error != nil {
		return translate(res.Error, "decide claim")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrPreconditionFailed)
	}
	for _, row := range []any{d, ev} {
		if err := g.Create(row).Error; err != nil {
			return translate(err, "record decision")
		}
	}
	if err := s.db.enqueue(ctx, false, out); err != nil {
		return err
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// AddEvidence records an uploaded file, with its audit entry a; it runs
// only inside InTx (store.ErrNoTx otherwise), as ClaimStore.AddEvidence.
func (s ReviewStore) AddEvidence(ctx context.Context, e *models.Evidence, a *models.AuditEntry) error {
	return s.db.Claims().AddEvidence(ctx, e, a)
}

// AppendAudit appends an audit entry; inside InTx it commits with the change.
func (s ReviewStore) AppendAudit(ctx context.Context, e *models.AuditEntry) error {
	return s.db.Audit().AppendAudit(ctx, e)
}

// Enqueue adds an outbox message and its job.
func (s ReviewStore) Enqueue(ctx context.Context, m *models.OutboxMessage) error {
	return s.db.Claims().Enqueue(ctx, m)
}

// Decisions lists a claim's decisions, oldest first.
func (s ReviewStore) Decisions(ctx context.Context, claimID string) ([]models.Decision, error) {
	var out []models.Decision
	return out, translate(s.g(ctx).Where("claim_id = ?", claimID).Order("created_at, claim_version").Find(&out).Error, "list decisions")
}

// Queue lists open claims matching f, oldest first.
func (s ReviewStore) Queue(ctx context.Context, f review.QueueFilter) ([]models.Claim, error) {
	q := s.g(ctx).Model(&models.Claim{})
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	} else {
		q = q.Where("status IN ?", models.Names(models.OpenStatuses()))
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.OutageID != "" {
		q = q.Where("outage_id = ?", f.OutageID)
	}
	if f.MinKRW != nil {
		q = q.Where("estimate_amount_krw >= ?", *f.MinKRW)
	}
	if f.MaxKRW != nil {
		q = q.Where("estimate_amount_krw <= ?", *f.MaxKRW)
	}
	if f.Flag != "" {
		q = q.Where("flags LIKE ?", `%"`+f.Flag+`"%`)
	}
	if f.OlderThan != nil {
		q = q.Where("created_at < ?", f.OlderThan.UTC())
	}
	if f.After != "" {
		last, err := s.Claim(ctx, f.After)
		if err != nil {
			return nil, apperr.InvalidBecause("next", apperr.ReasonBadCursor)
		}
		q = q.Where("created_at > ? OR (created_at = ? AND id > ?)", last.CreatedAt, last.CreatedAt, last.ID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var out []models.Claim
	return out, translate(q.Order("created_at, id").Find(&out).Error, "review queue")
}

// SetFlags stores a claim's flags without touching its version: flags are
// advice, not a change a reviewer must have seen.
func (s ReviewStore) SetFlags(ctx context.Context, claimID, flags string) error {
	return translate(s.g(ctx).Model(&models.Claim{}).Where("id = ?", claimID).Update("flags", flags).Error, "set flags")
}

// SubmittedClaims pages through submitted claims by id.
func (s ReviewStore) SubmittedClaims(ctx context.Context, outageID, after string, limit int) ([]models.Claim, error) {
	q := s.g(ctx).Where("status = ?", models.StatusSubmitted)
	if outageID != "" {
		q = q.Where("outage_id = ?", outageID)
	}
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var out []models.Claim
	return out, translate(q.Order("id").Limit(limit).Find(&out).Error, "list submitted claims")
}

// Related lists the other claimants' open claims that share an account,
// phone, business number or evidence file with c, by the rules the signal
// facts use (sameAccount, samePhone, sameBusiness, sameEvidence), at most
// 100 per signal, each with the flag of its signal and its stored flags.
func (s ReviewStore) Related(ctx context.Context, c *models.Claim) ([]review.RelatedClaim, error) {
	// Only open claims can still be decided, so only their flags matter.
	open := models.Names(models.OpenStatuses())
	// The shared account's claims are asked for in the order of the index
	// on (payout_fingerprint, claimant_id), so for a ring of thousands of
	// claims on one account the planner reads a hundred through the index
	// even when its statistics do not know the account (1.46 ms a call on
	// make bench, whose filings all pay into one account). Joined to the
	// claim's own row, the query scanned the table until it found them:
	// 18.9 ms a call.
	queries := []struct {
		flag string
		q    string
		args []any
	}{
		{review.FlagSharedAccount, `SELECT o.id, o.flags FROM claims o WHERE o.payout_fingerprint = ? AND o.claimant_id <> ? AND o.status IN ?
ORDER BY o.payout_fingerprint, o.claimant_id LIMIT 100`, []any{c.PayoutFingerprint, c.ClaimantID, open}},
		{review.FlagSharedPhone, `SELECT oc.id, oc.flags FROM users me JOIN users u ON ` + samePhone + ` JOIN claims oc ON oc.claimant_id = u.id
WHERE me.id = ? AND oc.status IN ? LIMIT 100`, []any{c.ClaimantID, open}},
		{review.FlagSharedBusinessNumber, `SELECT oc.id, oc.flags FROM claimant_profiles mine JOIN claimant_profiles o ON ` + sameBusiness + ` JOIN claims oc ON oc.claimant_id = o.user_id
WHERE mine.user_id = ? AND oc.status IN ? LIMIT 100`, []any{c.ClaimantID, open}},
		{review.FlagSharedEvidence, `SELECT DISTINCT oc.id, oc.flags FROM claims p JOIN evidence mine ON mine.claim_id = p.id, evidence o, claims oc
WHERE ` + sameEvidence + ` AND p.id = ? AND oc.status IN ? LIMIT 100`, []any{c.ID, open}},
	}
	var out []review.RelatedClaim
	for _, q := range queries {
		if q.flag == review.FlagSharedAccount && c.PayoutFingerprint == "" {
			continue // no account, nothing shared (sameAccount)
		}
		var found []review.RelatedClaim
		if err := s.g(ctx).Raw(q.q, q.args...).Scan(&found).Error; err != nil {
			return nil, translate(err, "related claims")
		}
		for _, r := range found {
			r.Flag = q.flag
			out = append(out, r)
		}
	}
	return out, nil
}

// AutoFacts returns the current estimate and the evidence kinds of a claim.
func (s ReviewStore) AutoFacts(ctx context.Context, claimID string) (models.ClaimEstimate, []string, error) {
	var est models.ClaimEstimate
	if err := s.g(ctx).Where("claim_id = ? AND superseded_at IS NULL", claimID).Take(&est).Error; err != nil {
		return est, nil, translate(err, "current estimate")
	}
	var kinds []string
	err := s.g(ctx).Model(&models.Evidence{}).Where("claim_id = ?", claimID).Distinct().Pluck("kind", &kinds).Error
	return est, kinds, translate(err, "evidence kinds")
}
