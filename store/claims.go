package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// ClaimStore implements claims.Store.
type ClaimStore struct{ db *DB }

// Claims returns the claims store.
func (db *DB) Claims() ClaimStore { return ClaimStore{db} }

var _ claims.Store = ClaimStore{}

// InTx runs fn in one transaction.
func (s ClaimStore) InTx(ctx context.Context, fn func(claims.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(ClaimStore{tx}) })
}

func (s ClaimStore) g(ctx context.Context) *gorm.DB { return s.db.with(ctx) }

// Policies lists published policies, oldest first.
func (s ClaimStore) Policies(ctx context.Context) ([]models.PolicyRecord, error) {
	var out []models.PolicyRecord
	return out, translate(s.g(ctx).Order("version").Find(&out).Error, "list policies")
}

// CreatePolicy inserts a policy version; a taken version is ErrConflict.
func (s ClaimStore) CreatePolicy(ctx context.Context, p *models.PolicyRecord) error {
	return translate(s.g(ctx).Create(p).Error, "create policy")
}

// Profiles lists a user's profiles.
func (s ClaimStore) Profiles(ctx context.Context, userID string) ([]models.Profile, error) {
	var out []models.Profile
	return out, translate(s.g(ctx).Where("user_id = ?", userID).Order("kind").Find(&out).Error, "list profiles")
}

// PutProfile inserts or replaces one profile kind.
func (s ClaimStore) PutProfile(ctx context.Context, p *models.Profile) error {
	err := s.g(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "kind"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "business_number", "secret", "secret_key_id", "updated_at"}),
	}).Create(p).Error
	return translate(err, "save profile")
}

// NextClaimNumber returns the next serial: on PostgreSQL from the
// sequence, taken claimNumberBlock at a time per process (no row lock
// shared by concurrent filings, and most filings need no round trip;
// numbers are unique across years and processes, with gaps where a process
// stopped before using its block); on SQLite from the year's counter row,
// in the caller's transaction.
func (s ClaimStore) NextClaimNumber(ctx context.Context, year int) (int, error) {
	if s.db.dialect == Postgres {
		return s.db.numbers.next(func() ([]int, error) {
			var block []int
			err := s.g(ctx).Raw(`SELECT nextval('claim_number_seq') FROM generate_series(1, ?)`, claimNumberBlock).Scan(&block).Error
			return block, translate(err, "next claim numbers")
		})
	}
	var n int
	err := s.g(ctx).Raw(`INSERT INTO claim_numbers (year, last) VALUES (?, 1)
ON CONFLICT (year) DO UPDATE SET last = claim_numbers.last + 1 RETURNING last`, year).Scan(&n).Error
	return n, translate(err, "next claim number")
}

// claimNumberBlock is how many claim numbers a process takes from the
// sequence at a time.
const claimNumberBlock = 32

// claimNumbers are the claim numbers this process took from the sequence
// and has not handed out yet.
type claimNumbers struct {
	mu   sync.Mutex
	free []int
}

// next hands out the lowest free number, refilling through take when none
// is left.
func (c *claimNumbers) next(take func() ([]int, error)) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.free) == 0 {
		block, err := take()
		if err != nil {
			return 0, err
		}
		if len(block) == 0 {
			return 0, errors.New("next claim numbers: the sequence gave none")
		}
		slices.Sort(block)
		c.free = block
	}
	n := c.free[0]
	c.free = c.free[1:]
	return n, nil
}

// Claim finds a claim by id.
func (s ClaimStore) Claim(ctx context.Context, id string) (*models.Claim, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("claim %q: %w", id, apperr.ErrNotFound)
	}
	var c models.Claim
	if err := s.g(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, translate(err, "find claim "+id)
	}
	return &c, nil
}

// ClaimFor finds a claimant's claim for an outage and category.
func (s ClaimStore) ClaimFor(ctx context.Context, claimantID, outageID string, category models.ClaimCategory) (*models.Claim, error) {
	var c models.Claim
	err := s.g(ctx).Where("claimant_id = ? AND outage_id = ? AND category = ?", claimantID, outageID, category).Take(&c).Error
	if err != nil {
		return nil, translate(err, "find claim for outage")
	}
	return &c, nil
}

var claimSorts = map[string]string{"": "created_at", "created_at": "created_at", "-created_at": "created_at DESC",
	"amount": "estimate_amount_krw", "-amount": "estimate_amount_krw DESC"}

// Claims lists claims matching f in the requested order, keyset-paged.
func (s ClaimStore) Claims(ctx context.Context, f claims.Filter) ([]models.Claim, error) {
	order, ok := claimSorts[f.Sort]
	if !ok {
		return nil, fmt.Errorf("claim list sort %q (claims.Service.List checks it first): %w", f.Sort, apperr.ErrInvalid)
	}
	q := s.g(ctx).Model(&models.Claim{})
	if f.ClaimantID != "" {
		q = q.Where("claimant_id = ?", f.ClaimantID)
	}
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
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
		q = q.Where(`flags LIKE ? ESCAPE '\'`, `%"`+likeEscape(f.Flag)+`"%`)
	}
	if f.Query != "" {
		cond, args := s.db.searchClaims(f.Query)
		q = q.Where(cond, args...)
	}
	if f.After != "" {
		cond, args, err := s.after(ctx, f.After, f.ClaimantID, order)
		if err != nil {
			return nil, err
		}
		q = q.Where(cond, args...)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	desc := strings.HasSuffix(order, "DESC")
	idOrder := "id"
	if desc {
		idOrder = "id DESC"
	}
	var out []models.Claim
	return out, translate(q.Order(order).Order(idOrder).Find(&out).Error, "list claims")
}

// after is the keyset condition for the page after claim id in order. When
// the list is one claimant's, the cursor must be one of their claims too:
// another's claim says nothing about this list and would tell its caller
// that the id exists, so it is as invalid as an unknown id.
func (s ClaimStore) after(ctx context.Context, id, claimantID, order string) (string, []any, error) {
	last, err := s.Claim(ctx, id)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return "", nil, err
	}
	if err != nil || (claimantID != "" && last.ClaimantID != claimantID) {
		return "", nil, apperr.InvalidBecause("next", apperr.ReasonBadCursor)
	}
	col, val := "created_at", any(last.CreatedAt)
	if strings.HasPrefix(order, "estimate_amount_krw") {
		col, val = "estimate_amount_krw", any(last.EstimateAmountKRW)
	}
	op := ">"
	if strings.HasSuffix(order, "DESC") {
		op = "<"
	}
	return fmt.Sprintf("%s %s ? OR (%s = ? AND id %s ?)", col, op, col, op), []any{val, val, last.ID}, nil
}

// Estimates lists a claim's estimates, oldest first.
func (s ClaimStore) Estimates(ctx context.Context, claimIDs ...string) (map[string][]models.ClaimEstimate, error) {
	out := make(map[string][]models.ClaimEstimate, len(claimIDs))
	if len(claimIDs) == 0 {
		return out, nil
	}
	var rows []models.ClaimEstimate
	if err := s.g(ctx).Where("claim_id IN ?", claimIDs).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "list estimates")
	}
	for _, e := range rows {
		out[e.ClaimID] = append(out[e.ClaimID], e)
	}
	return out, nil
}

// Events lists a claim's timeline, oldest first.
func (s ClaimStore) Events(ctx context.Context, claimID string) ([]models.ClaimEvent, error) {
	var out []models.ClaimEvent
	return out, translate(s.g(ctx).Where("claim_id = ?", claimID).Order("created_at, id").Find(&out).Error, "list claim events")
}

// outcomeStatuses are the statuses a decision in force, or a decision
// waiting for its second approval, moves a claim to.
var outcomeStatuses = models.Names(append(models.DecidedStatuses(), models.StatusPendingSecondApproval))

// OutcomeDecisions lists the decisions of claimIDs that settled or proposed
// an outcome, oldest first per claim, in one query.
func (s ClaimStore) OutcomeDecisions(ctx context.Context, claimIDs ...string) (map[string][]models.Decision, error) {
	out := make(map[string][]models.Decision, len(claimIDs))
	if len(claimIDs) == 0 {
		return out, nil
	}
	var rows []models.Decision
	err := s.g(ctx).Where("claim_id IN ? AND to_status IN ?", claimIDs, outcomeStatuses).Order("claim_id, claim_version").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "list outcome decisions")
	}
	for _, d := range rows {
		out[d.ClaimID] = append(out[d.ClaimID], d)
	}
	return out, nil
}

// Payments finds the paid payout item of each of claimIDs, in one query; a
// claim is in at most one item that has not failed.
func (s ClaimStore) Payments(ctx context.Context, claimIDs ...string) (map[string]models.PayoutItem, error) {
	out := make(map[string]models.PayoutItem, len(claimIDs))
	if len(claimIDs) == 0 {
		return out, nil
	}
	var rows []models.PayoutItem
	if err := s.g(ctx).Where("claim_id IN ? AND status = ?", claimIDs, "paid").Find(&rows).Error; err != nil {
		return nil, translate(err, "list payments")
	}
	for _, it := range rows {
		out[it.ClaimID] = it
	}
	return out, nil
}

// UpdateClaim saves c if nobody changed it since version c.Version-1, with
// its event, outbox message and audit entry a. It runs only inside InTx
// (store.ErrNoTx otherwise), so all of it commits or none. Without a it
// writes nothing (audit.ErrMissing).
func (s ClaimStore) UpdateClaim(ctx context.Context, c *models.Claim, ev *models.ClaimEvent, out *models.OutboxMessage, a *models.AuditEntry) error {
	if err := s.db.needTx("update claim " + c.ID); err != nil {
		return err
	}
	if err := needAudit(a, "update claim "+c.ID); err != nil {
		return err
	}
	g := s.g(ctx)
	res := g.Model(&models.Claim{}).Where("id = ? AND version = ?", c.ID, c.Version-1).Updates(map[string]any{
		"status": c.Status, "version": c.Version, "updated_at": c.UpdatedAt,
		"estimate_amount_krw": c.EstimateAmountKRW, "policy_version": c.PolicyVersion,
	})
	if res.Error != nil {
		return translate(res.Error, "update claim")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("claim %s changed meanwhile: %w", c.ID, apperr.ErrPreconditionFailed)
	}
	if err := g.Create(ev).Error; err != nil {
		return translate(err, "record claim event")
	}
	if err := s.db.enqueue(ctx, false, out); err != nil {
		return err
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// ReplaceEstimate supersedes the current estimate and points the claim at e,
// with its audit entry a. It runs only inside InTx (store.ErrNoTx
// otherwise). Without a it writes nothing (audit.ErrMissing).
func (s ClaimStore) ReplaceEstimate(ctx context.Context, e *models.ClaimEstimate, now time.Time, a *models.AuditEntry) error {
	if err := s.db.needTx("re-price claim " + e.ClaimID); err != nil {
		return err
	}
	if err := needAudit(a, "re-price claim "+e.ClaimID); err != nil {
		return err
	}
	g := s.g(ctx)
	if err := g.Model(&models.ClaimEstimate{}).Where("claim_id = ? AND superseded_at IS NULL", e.ClaimID).
		Update("superseded_at", now).Error; err != nil {
		return translate(err, "supersede estimate")
	}
	if err := g.Create(e).Error; err != nil {
		return translate(err, "store estimate")
	}
	err := g.Model(&models.Claim{}).Where("id = ?", e.ClaimID).Updates(map[string]any{
		"estimate_amount_krw": e.AmountKRW, "policy_version": e.PolicyVersion,
		"version": gorm.Expr("version + 1"), "updated_at": now}).Error
	if err != nil {
		return translate(err, "re-price claim")
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// RepricePage lists up to limit claims in statuses with id > after, in id
// order: the keyset pages of a re-pricing job.
func (s ClaimStore) RepricePage(ctx context.Context, statuses []string, after string, limit int) ([]models.Claim, error) {
	q := s.g(ctx).Where("status IN ?", statuses)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var out []models.Claim
	return out, translate(q.Order("id").Limit(limit).Find(&out).Error, "list claims to re-price")
}

// RepriceEstimate points the claim at e if it is still at version, then
// supersedes its current estimate with e; call it inside InTx. The caller
// writes the audit entry.
func (s ClaimStore) RepriceEstimate(ctx context.Context, e *models.ClaimEstimate, version int, now time.Time) error {
	g := s.g(ctx)
	// The claim first: on PostgreSQL a concurrent re-pricing of the same
	// claim waits here and then finds the version moved on.
	res := g.Model(&models.Claim{}).Where("id = ? AND version = ?", e.ClaimID, version).Updates(map[string]any{
		"estimate_amount_krw": e.AmountKRW, "policy_version": e.PolicyVersion, "version": version + 1, "updated_at": now})
	if res.Error != nil {
		return translate(res.Error, "re-price claim")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("claim %s changed meanwhile: %w", e.ClaimID, apperr.ErrPreconditionFailed)
	}
	if err := g.Model(&models.ClaimEstimate{}).Where("claim_id = ? AND superseded_at IS NULL", e.ClaimID).
		Update("superseded_at", now).Error; err != nil {
		return translate(err, "supersede estimate")
	}
	return translate(g.Create(e).Error, "store estimate")
}

// AppendAudit appends an audit entry; inside InTx it commits with the change.
func (s ClaimStore) AppendAudit(ctx context.Context, e *models.AuditEntry) error {
	return s.db.Audit().AppendAudit(ctx, e)
}

// EvidenceOf lists a claim's files, oldest first.
func (s ClaimStore) EvidenceOf(ctx context.Context, claimID string) ([]models.Evidence, error) {
	var out []models.Evidence
	return out, translate(s.g(ctx).Where("claim_id = ?", claimID).Order("created_at, id").Find(&out).Error, "list evidence")
}

// EvidenceKinds lists the kinds of each claim's files, in one query.
func (s ClaimStore) EvidenceKinds(ctx context.Context, claimIDs ...string) (map[string][]string, error) {
	out := make(map[string][]string, len(claimIDs))
	if len(claimIDs) == 0 {
		return out, nil
	}
	var rows []struct{ ClaimID, Kind string }
	err := s.g(ctx).Model(&models.Evidence{}).Select("claim_id, kind").Where("claim_id IN ?", claimIDs).Order("claim_id, created_at, id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "list evidence kinds")
	}
	for _, r := range rows {
		out[r.ClaimID] = append(out[r.ClaimID], r.Kind)
	}
	return out, nil
}

// AddEvidence records an uploaded file with its audit entry a. It runs only
// inside InTx (store.ErrNoTx otherwise). Without a it writes nothing
// (audit.ErrMissing).
func (s ClaimStore) AddEvidence(ctx context.Context, e *models.Evidence, a *models.AuditEntry) error {
	if err := s.db.needTx("record evidence of claim " + e.ClaimID); err != nil {
		return err
	}
	if err := needAudit(a, "record evidence of claim "+e.ClaimID); err != nil {
		return err
	}
	if err := s.g(ctx).Create(e).Error; err != nil {
		return translate(err, "record evidence")
	}
	// The claim's row counts its files: a new file changes the row, as
	// every other change to the claim's page does (ClaimPage's cache).
	// UpdateColumn leaves updated_at alone: a file is not a status change.
	res := s.g(ctx).Model(&models.Claim{}).Where("id = ?", e.ClaimID).UpdateColumn("evidence_count", gorm.Expr("evidence_count + 1"))
	if res.Error != nil {
		return translate(res.Error, "count evidence of claim "+e.ClaimID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("count evidence of claim %s: %w", e.ClaimID, apperr.ErrNotFound)
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// ClaimKey takes an idempotency key, atomically.
func (s ClaimStore) ClaimKey(ctx context.Context, k *models.IdempotencyKey, stale, ttl time.Duration) (*models.IdempotencyKey, bool, error) {
	// One plain statement: gorm's Create would wrap it in a transaction of
	// its own (three round trips) on the hot path of every filing.
	res := s.g(ctx).Exec(`INSERT INTO idempotency_keys (user_id, key, request_hash, state, response_status, response_body, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, k.UserID, k.Key, k.RequestHash, k.State, k.ResponseStatus, k.ResponseBody, k.CreatedAt)
	if res.Error != nil {
		return nil, false, translate(res.Error, "take idempotency key")
	}
	if res.RowsAffected == 1 {
		return k, true, nil
	}
	var existing models.IdempotencyKey
	if err := s.g(ctx).Where("user_id = ? AND key = ?", k.UserID, k.Key).Take(&existing).Error; err != nil {
		return nil, false, translate(err, "read idempotency key")
	}
	expired := existing.CreatedAt.Before(k.CreatedAt.Add(-ttl))
	abandoned := existing.State == "in_flight" && existing.CreatedAt.Before(k.CreatedAt.Add(-stale))
	if !expired && !abandoned {
		return &existing, false, nil
	}
	res = s.g(ctx).Model(&models.IdempotencyKey{}).
		Where("user_id = ? AND key = ? AND created_at = ? AND state = ?", k.UserID, k.Key, existing.CreatedAt, existing.State).
		Updates(map[string]any{"request_hash": k.RequestHash, "state": "in_flight", "response_status": 0, "response_body": "", "created_at": k.CreatedAt})
	if res.Error != nil {
		return nil, false, translate(res.Error, "take over idempotency key")
	}
	return &existing, res.RowsAffected == 1, nil
}

// FinishKey stores the response of the request holding the key. Only an
// in-flight key is finished: a slow request whose key was taken over and
// answered meanwhile can never overwrite the answer clients already got (its
// transaction then fails with ErrConflict).
func (s ClaimStore) FinishKey(ctx context.Context, userID, key string, status int, body string) error {
	res := s.g(ctx).Model(&models.IdempotencyKey{}).Where("user_id = ? AND key = ? AND state = 'in_flight'", userID, key).
		Updates(map[string]any{"state": "done", "response_status": status, "response_body": body})
	if res.Error != nil {
		return translate(res.Error, "finish idempotency key")
	}
	if res.RowsAffected == 0 {
		return keyAnswered(key)
	}
	return nil
}

// keyAnswered is the error of finishing a key that is no longer in flight.
func keyAnswered(key string) error {
	return fmt.Errorf("idempotency key %s was answered by another request: %w", key, apperr.ErrConflict)
}

// ReleaseKey deletes an in-flight key.
func (s ClaimStore) ReleaseKey(ctx context.Context, userID, key string) error {
	err := s.g(ctx).Where("user_id = ? AND key = ? AND state = ?", userID, key, "in_flight").Delete(&models.IdempotencyKey{}).Error
	return translate(err, "release idempotency key")
}

// Enqueue adds an outbox message and its job; inside InTx it commits with
// the change.
func (s ClaimStore) Enqueue(ctx context.Context, m *models.OutboxMessage) error {
	return s.db.enqueue(ctx, false, m)
}
