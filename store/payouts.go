package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/payout"
)

// PayoutStore implements payout.Store.
type PayoutStore struct{ db *DB }

// Payouts returns the payout store.
func (db *DB) Payouts() PayoutStore { return PayoutStore{db} }

var _ payout.Store = PayoutStore{}

// InTx runs fn in one transaction.
func (s PayoutStore) InTx(ctx context.Context, fn func(payout.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(PayoutStore{tx}) })
}

func (s PayoutStore) g(ctx context.Context) *gorm.DB { return s.db.with(ctx) }

// AppendAudit appends an audit entry in this store's transaction, if any.
func (s PayoutStore) AppendAudit(ctx context.Context, e *models.AuditEntry) error {
	return s.db.Audit().AppendAudit(ctx, e)
}

// PayableClaims pages through approved, unpaid claims by id. Only the id
// and amount are read: that is all a batch item needs.
func (s PayoutStore) PayableClaims(ctx context.Context, outageID, after string, limit int) ([]models.Claim, error) {
	q := s.g(ctx).Model(&models.Claim{}).Select("id", "approved_amount_krw").
		Where("status IN ? AND approved_amount_krw > 0", models.Names(models.PayableStatuses())).
		Where("NOT EXISTS (SELECT 1 FROM payout_items WHERE payout_items.claim_id = claims.id AND payout_items.status <> ?)", payout.ItemFailed)
	if outageID != "" {
		q = q.Where("outage_id = ?", outageID)
	}
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var out []models.Claim
	return out, translate(q.Order("id").Limit(limit).Find(&out).Error, "list payable claims")
}

// AddAllPayable fills a batch in one INSERT ... SELECT on PostgreSQL (a
// million claims would otherwise cross the network twice) and counts what it
// inserted from the statement's own RETURNING. A claim already in a live
// item, committed or taken by a concurrent build, is skipped by the
// live-claim unique index (ON CONFLICT DO NOTHING waits for a concurrent
// build to finish first). There is deliberately no NOT EXISTS probe of
// payout_items: with statistics that still see the table empty, the planner
// turned it into a nested loop rescanning the growing payout_items for every
// claim, quadratic in the batch (760,000 claims ran for minutes); the
// arbiter index does the same job with one index probe per claim.
// SQLite answers handled = false and the service pages instead.
func (s PayoutStore) AddAllPayable(ctx context.Context, batchID, outageID string, now time.Time) (bool, int, int64, error) {
	if s.db.dialect != Postgres {
		return false, 0, 0, nil
	}
	q := `WITH added AS (
INSERT INTO payout_items (id, batch_id, claim_id, amount_krw, status, reference, created_at)
SELECT gen_random_uuid(), ?, c.id, c.approved_amount_krw, 'pending', '', ? FROM claims c
WHERE c.status IN ` + sqlList(models.Names(models.PayableStatuses())) + ` AND c.approved_amount_krw > 0`
	args := []any{batchID, now.UTC()}
	if outageID != "" {
		q += ` AND c.outage_id = ?`
		args = append(args, outageID)
	}
	q += `
ON CONFLICT (claim_id) WHERE status <> 'failed' DO NOTHING
RETURNING amount_krw)
SELECT count(*) AS n, COALESCE(sum(amount_krw), 0) AS total FROM added`
	var agg struct {
		N     int
		Total int64
	}
	err := s.g(ctx).Raw(q, args...).Scan(&agg).Error
	return true, agg.N, agg.Total, translate(err, "add payable claims")
}

// CreateBatch inserts a batch.
func (s PayoutStore) CreateBatch(ctx context.Context, b *models.PayoutBatch) error {
	return translate(s.g(ctx).Create(b).Error, "create payout batch")
}

// AddItems inserts items in one statement. The partial unique index
// payout_items_live_claim_key turns a claim already in a live item (a
// concurrent build won it) into apperr.ErrConflict; on PostgreSQL the insert
// first waits for that build to commit or roll back.
func (s PayoutStore) AddItems(ctx context.Context, items []models.PayoutItem) error {
	if len(items) == 0 {
		return nil
	}
	return translate(s.g(ctx).Create(&items).Error, "add payout items")
}

// UpdateBatch saves a batch's status and totals.
func (s PayoutStore) UpdateBatch(ctx context.Context, b *models.PayoutBatch) error {
	res := s.g(ctx).Model(&models.PayoutBatch{}).Where("id = ?", b.ID).
		Updates(map[string]any{"status": b.Status, "item_count": b.ItemCount, "total_krw": b.TotalKRW})
	if res.Error != nil {
		return translate(res.Error, "update payout batch")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("payout batch %s: %w", b.ID, apperr.ErrNotFound)
	}
	return nil
}

// Batch finds a batch.
func (s PayoutStore) Batch(ctx context.Context, id string) (*models.PayoutBatch, error) {
	var b models.PayoutBatch
	if err := s.g(ctx).Where("id = ?", id).Take(&b).Error; err != nil {
		return nil, translate(err, "find payout batch "+id)
	}
	return &b, nil
}

// Batches lists up to limit batches, newest first.
func (s PayoutStore) Batches(ctx context.Context, limit int) ([]models.PayoutBatch, error) {
	var out []models.PayoutBatch
	return out, translate(s.g(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error, "list payout batches")
}

// lineRow is one row of the items-and-claims join.
type lineRow struct {
	ItemID             string `gorm:"column:item_id"`
	ClaimID            string `gorm:"column:claim_id"`
	ClaimantID         string `gorm:"column:claimant_id"`
	Number             string `gorm:"column:number"`
	AmountKRW          int64  `gorm:"column:amount_krw"`
	Status             string `gorm:"column:status"`
	Reference          string `gorm:"column:reference"`
	PayoutBank         string `gorm:"column:payout_bank"`
	PayoutHolder       string `gorm:"column:payout_holder"`
	PayoutNumberSealed string `gorm:"column:payout_number_sealed"`
	PayoutKeyID        string `gorm:"column:payout_key_id"`
	PayoutNumberMasked string `gorm:"column:payout_number_masked"`
	PayoutFingerprint  string `gorm:"column:payout_fingerprint"`
}

// lineColumns are the columns of a payout.Line, from payout_items i joined
// with claims c.
const lineColumns = `i.id AS item_id, i.claim_id, c.claimant_id, c.number, i.amount_krw,
i.status, i.reference, c.payout_bank, c.payout_holder, c.payout_number_sealed,
c.payout_key_id, c.payout_number_masked, c.payout_fingerprint`

// Lines pages through a batch's items by item id, joined with their claims.
// The page of items is chosen before the join, so a page costs one range
// scan of payout_items (batch_id, id) and limit claim lookups even when the
// planner's statistics have not caught up with a freshly built batch.
func (s PayoutStore) Lines(ctx context.Context, batchID string, statuses []string, after string, limit int) ([]payout.Line, error) {
	page := s.g(ctx).Table("payout_items").Where("batch_id = ?", batchID)
	if len(statuses) > 0 {
		page = page.Where("status IN ?", statuses)
	}
	if after != "" {
		page = page.Where("id > ?", after)
	}
	page = page.Order("id").Limit(limit)
	var rows []lineRow
	err := s.g(ctx).Table("(?) AS i", page).Joins("JOIN claims c ON c.id = i.claim_id").
		Select(lineColumns).Order("i.id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "list payout items")
	}
	out := make([]payout.Line, len(rows))
	for i, r := range rows {
		out[i] = r.line()
	}
	return out, nil
}

// EachLine reads a batch's items joined with their claims in claim number
// order. PostgreSQL streams them from one query (one snapshot, and a plan
// that cannot go quadratic on stale statistics). SQLite has a single
// connection, which a query held open for a whole download would take from
// every other request, so there the items come in keyset pages of
// exportPage.
func (s PayoutStore) EachLine(ctx context.Context, batchID string, statuses []string, fn func(payout.Line) error) error {
	query := func() *gorm.DB {
		q := s.g(ctx).Table("payout_items AS i").Joins("JOIN claims c ON c.id = i.claim_id").
			Select(lineColumns).Where("i.batch_id = ?", batchID)
		if len(statuses) > 0 {
			q = q.Where("i.status IN ?", statuses)
		}
		return q.Order("c.number, i.id")
	}
	if s.db.dialect == Postgres {
		return eachRow(query(), fn)
	}
	for last := (lineRow{}); ; {
		q := query()
		if last.ItemID != "" {
			q = q.Where("(c.number > ? OR (c.number = ? AND i.id > ?))", last.Number, last.Number, last.ItemID)
		}
		var page []lineRow
		if err := q.Limit(exportPage).Scan(&page).Error; err != nil {
			return translate(err, "read payout items")
		}
		for _, r := range page {
			if err := fn(r.line()); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		last = page[len(page)-1]
	}
}

// exportPage is how many items one query reads on SQLite.
const exportPage = 1000

// eachRow runs q and hands fn one row at a time as it arrives.
func eachRow(q *gorm.DB, fn func(payout.Line) error) error {
	rows, err := q.Rows()
	if err != nil {
		return translate(err, "read payout items")
	}
	defer rows.Close()
	var r lineRow
	for rows.Next() {
		if err := rows.Scan(&r.ItemID, &r.ClaimID, &r.ClaimantID, &r.Number, &r.AmountKRW, &r.Status, &r.Reference,
			&r.PayoutBank, &r.PayoutHolder, &r.PayoutNumberSealed, &r.PayoutKeyID, &r.PayoutNumberMasked, &r.PayoutFingerprint); err != nil {
			return translate(err, "read payout item")
		}
		if err := fn(r.line()); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "read payout items")
}

func (r lineRow) line() payout.Line {
	return payout.Line{ItemID: r.ItemID, ClaimID: r.ClaimID, ClaimantID: r.ClaimantID, Number: r.Number, AmountKRW: r.AmountKRW,
		Status: r.Status, Reference: r.Reference, Bank: r.PayoutBank, Holder: r.PayoutHolder, NumberSealed: r.PayoutNumberSealed,
		KeyID: r.PayoutKeyID, NumberMasked: r.PayoutNumberMasked, Fingerprint: r.PayoutFingerprint}
}

// forUpdate locks the selected rows until the transaction ends on
// PostgreSQL; SQLite transactions begin IMMEDIATE and so already hold the
// only write lock.
func (s PayoutStore) forUpdate(ctx context.Context) *gorm.DB {
	g := s.g(ctx)
	if s.db.dialect == Postgres {
		g = g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return g
}

// ItemForUpdate finds and locks the item of a claim in a batch.
func (s PayoutStore) ItemForUpdate(ctx context.Context, batchID, claimID string) (*models.PayoutItem, error) {
	var it models.PayoutItem
	if err := s.forUpdate(ctx).Where("batch_id = ? AND claim_id = ?", batchID, claimID).Take(&it).Error; err != nil {
		return nil, translate(err, "find payout item of claim "+claimID)
	}
	return &it, nil
}

// SettleItem moves a pending item to its new status.
func (s PayoutStore) SettleItem(ctx context.Context, it *models.PayoutItem) error {
	res := s.g(ctx).Model(&models.PayoutItem{}).Where("id = ? AND status = ?", it.ID, payout.ItemPending).
		Updates(map[string]any{"status": it.Status, "reference": it.Reference, "settled_at": it.SettledAt})
	if res.Error != nil {
		return translate(res.Error, "settle payout item")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("payout item %s is no longer pending: %w", it.ID, apperr.ErrConflict)
	}
	return nil
}

// ClaimForUpdate finds and locks a claim.
func (s PayoutStore) ClaimForUpdate(ctx context.Context, id string) (*models.Claim, error) {
	var c models.Claim
	if err := s.forUpdate(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, translate(err, "find claim "+id)
	}
	return &c, nil
}

// PayClaim saves a paid claim if its version has not moved, with its event
// and outbox message.
func (s PayoutStore) PayClaim(ctx context.Context, c *models.Claim, fromVersion int, ev *models.ClaimEvent, out *models.OutboxMessage) error {
	g := s.g(ctx)
	res := g.Model(&models.Claim{}).Where("id = ? AND version = ?", c.ID, fromVersion).
		Updates(map[string]any{"status": c.Status, "version": c.Version, "updated_at": c.UpdatedAt})
	if res.Error != nil {
		return translate(res.Error, "pay claim")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrPreconditionFailed)
	}
	if err := g.Create(ev).Error; err != nil {
		return translate(err, "record payment")
	}
	return s.db.enqueue(ctx, false, out)
}

// CountItems counts a batch's items in one status.
func (s PayoutStore) CountItems(ctx context.Context, batchID, status string) (int64, error) {
	var n int64
	err := s.g(ctx).Model(&models.PayoutItem{}).Where("batch_id = ? AND status = ?", batchID, status).Count(&n).Error
	return n, translate(err, "count payout items")
}
