package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// CreateImport stores a new import.
func (s OfferStore) CreateImport(ctx context.Context, imp *models.OfferImport) error {
	return translate(s.db.with(ctx).Create(imp).Error, "create offer import")
}

// Import finds an import by id; an unknown id is apperr.ErrNotFound.
func (s OfferStore) Import(ctx context.Context, id string) (*models.OfferImport, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("offer import %q: %w", id, apperr.ErrNotFound)
	}
	var imp models.OfferImport
	if err := s.db.with(ctx).Where("id = ?", id).Take(&imp).Error; err != nil {
		return nil, translate(err, "find offer import")
	}
	return &imp, nil
}

// UpdateImport stores imp's mutable fields if the row still has version
// fromVersion and moves it to fromVersion+1; otherwise it returns
// apperr.ErrPreconditionFailed.
func (s OfferStore) UpdateImport(ctx context.Context, imp *models.OfferImport, fromVersion int) error {
	res := s.db.with(ctx).Model(&models.OfferImport{}).Where("id = ? AND version = ?", imp.ID, fromVersion).
		Updates(map[string]any{"status": imp.Status, "rows": imp.Rows, "accepted": imp.Accepted, "rejected": imp.Rejected,
			"offers_created": imp.OffersCreated, "resume_line": imp.ResumeLine, "bytes_read": imp.BytesRead,
			"errors": imp.Errors, "failure": imp.Failure, "updated_at": imp.UpdatedAt, "finished_at": imp.FinishedAt,
			"version": fromVersion + 1})
	if res.Error != nil {
		return translate(res.Error, "update offer import")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("offer import %s changed: %w", imp.ID, apperr.ErrPreconditionFailed)
	}
	imp.Version = fromVersion + 1
	return nil
}

// InsertNewOffers stores offers, skipping any whose (outage, account_ref)
// is taken, and returns the ids of those it stored.
func (s OfferStore) InsertNewOffers(ctx context.Context, os []models.Offer) ([]string, error) {
	if len(os) == 0 {
		return nil, nil
	}
	if s.db.dialect == Postgres {
		return insertOffersPG(ctx, s.db, os)
	}
	// SQLite's driver binds parameters in time quadratic in their number:
	// small batches.
	err := s.db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "outage_id"}, {Name: "account_ref"}}, DoNothing: true}).
		CreateInBatches(os, sqliteBatch(len(os), 33)).Error
	if err != nil {
		return nil, translate(err, "insert offers")
	}
	ids := make([]string, len(os))
	for i := range os {
		ids[i] = os[i].ID
	}
	return s.db.existing(ctx, "offers", ids)
}

// sqliteBatch is how many rows of columns columns one INSERT on SQLite
// takes: about 1,000 parameters, which its driver binds quickly.
func sqliteBatch(rows, columns int) int { return max(1, min(rows, 1000/columns)) }

// existing returns which of ids are in table (the rows an INSERT ... ON
// CONFLICT DO NOTHING of fresh ids wrote).
func (db *DB) existing(ctx context.Context, table string, ids []string) ([]string, error) {
	var out []string
	for start := 0; start < len(ids); start += 500 {
		var page []string
		err := db.with(ctx).Table(table).Where("id IN ?", ids[start:min(start+500, len(ids))]).Pluck("id", &page).Error
		if err != nil {
			return nil, translate(err, "read written "+table)
		}
		out = append(out, page...)
	}
	return out, nil
}

// EnqueueMessages adds outbox messages, skipping those whose dedupe id is
// there already, and queues a job for each it added, in one transaction
// (the caller's inside InTx). It returns how many it added.
func (s OfferStore) EnqueueMessages(ctx context.Context, msgs []models.OutboxMessage) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	if tx := s.db.sqlTx(); tx == nil && s.db.jobs != nil {
		n := 0
		err := s.db.InTx(ctx, func(t *DB) error {
			var err error
			n, err = OfferStore{t}.EnqueueMessages(ctx, msgs)
			return err
		})
		return n, err
	}
	written, err := s.db.insertOutbox(ctx, msgs)
	if err != nil {
		return 0, err
	}
	return len(written), s.db.queueJobs(ctx, s.db.sqlTx(), written)
}

// insertOutbox writes msgs with ON CONFLICT (dedupe_id) DO NOTHING and
// returns those it wrote.
func (db *DB) insertOutbox(ctx context.Context, msgs []models.OutboxMessage) ([]models.OutboxMessage, error) {
	if db.dialect == Postgres {
		return insertOutboxPG(ctx, db, msgs)
	}
	err := db.with(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_id"}}, DoNothing: true}).
		CreateInBatches(msgs, sqliteBatch(len(msgs), 6)).Error
	if err != nil {
		return nil, translate(err, "queue offer messages")
	}
	ids := make([]string, len(msgs))
	for i := range msgs {
		ids[i] = msgs[i].ID
	}
	got, err := db.existing(ctx, "outbox", ids)
	if err != nil {
		return nil, err
	}
	return pickByID(msgs, got, func(m models.OutboxMessage) string { return m.ID }), nil
}

// pickByID keeps the items whose id is in ids, in their order.
func pickByID[T any](items []T, ids []string, id func(T) string) []T {
	keep := make(map[string]bool, len(ids))
	for _, x := range ids {
		keep[x] = true
	}
	out := make([]T, 0, len(ids))
	for _, it := range items {
		if keep[id(it)] {
			out = append(out, it)
		}
	}
	return out
}

// OutageProvider returns the id of the provider whose service an outage
// hit; an unknown outage is apperr.ErrNotFound.
func (s OfferStore) OutageProvider(ctx context.Context, outageID string) (string, error) {
	if !validUUID(outageID) {
		return "", fmt.Errorf("outage %q: %w", outageID, apperr.ErrNotFound)
	}
	var ids []string
	err := s.db.with(ctx).Table("outages").Joins("JOIN services ON services.id = outages.service_id").
		Where("outages.id = ?", outageID).Pluck("services.provider_id", &ids).Error
	if err != nil {
		return "", translate(err, "find outage provider")
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("outage %s: %w", outageID, apperr.ErrNotFound)
	}
	return ids[0], nil
}

// OutageOffers lists an outage's offers matching f, newest first.
func (s OfferStore) OutageOffers(ctx context.Context, outageID string, f offers.OfferFilter, limit int) ([]models.Offer, error) {
	q := s.db.with(ctx).Where("outage_id = ?", outageID)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Q != "" {
		q = q.Where("account_ref = ? OR name LIKE ?", f.Q, likePrefix(f.Q))
	}
	if f.After != "" {
		q = q.Where("id < ?", f.After)
	}
	var out []models.Offer
	if err := q.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, translate(err, "list offers")
	}
	return out, nil
}

// likePrefix escapes a LIKE pattern's wildcards and matches a prefix.
func likePrefix(s string) string {
	r := make([]rune, 0, len(s)+1)
	for _, c := range s {
		if c == '%' || c == '_' || c == '\\' {
			continue
		}
		r = append(r, c)
	}
	return string(r) + "%"
}

// EachGrantedOffer calls fn with each granted offer of an outage in
// account_ref order, reading 1,000 at a time.
func (s OfferStore) EachGrantedOffer(ctx context.Context, outageID string, fn func(models.Offer) error) error {
	after := ""
	for {
		var page []models.Offer
		err := s.db.with(ctx).Where("outage_id = ? AND (status = ? OR (status = ? AND chosen_settlement = ?)) AND account_ref > ?",
			outageID, string(offers.Granted), string(offers.Accepted), offers.SettleBillCredit, after).
			Order("account_ref").Limit(1000).Find(&page).Error
		if err != nil {
			return translate(err, "read granted offers")
		}
		for _, o := range page {
			if err := fn(o); err != nil {
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].AccountRef
	}
}
