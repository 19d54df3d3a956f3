package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// AuditStore implements audit.Store. Taken from a DB inside InTx, its
// AppendAudit joins that transaction.
type AuditStore struct{ db *DB }

// Audit returns the audit trail's store.
func (db *DB) Audit() AuditStore { return AuditStore{db} }

var (
	_ audit.Store  = AuditStore{}
	_ audit.SealTx = AuditStore{}
)

// auditSealLock is the PostgreSQL advisory lock key that admits one sealer
// at a time ("bosang audit" in spirit; any constant unused elsewhere works).
const auditSealLock int64 = 0x424f53414e4701

// AppendAudit inserts e unsealed and sets e.Seq from the database. Nothing
// else is locked, so concurrent writers never wait for one another here.
func (s AuditStore) AppendAudit(ctx context.Context, e *models.AuditEntry) error {
	e.Seq, e.ChainPos, e.PrevHash, e.Hash, e.HashAlg = 0, nil, "", "", ""
	return translate(s.db.with(ctx).Create(e).Error, "append audit entry")
}

// AppendAudits inserts es unsealed in batches of 200 rows per statement.
func (s AuditStore) AppendAudits(ctx context.Context, es []*models.AuditEntry) error {
	for _, e := range es {
		e.Seq, e.ChainPos, e.PrevHash, e.Hash, e.HashAlg = 0, nil, "", "", ""
	}
	return translate(s.db.with(ctx).CreateInBatches(es, 200).Error, "append audit entries")
}

// SealTx runs fn in a transaction holding the sealer lock: a transaction
// advisory lock on PostgreSQL, the single writer on SQLite (transactions
// begin IMMEDIATE).
func (s AuditStore) SealTx(ctx context.Context, fn func(audit.SealTx) error) error {
	return s.db.InTx(ctx, func(tx *DB) error {
		if tx.dialect == Postgres {
			if err := tx.with(ctx).Exec("SELECT pg_advisory_xact_lock(?)", auditSealLock).Error; err != nil {
				return translate(err, "take audit sealer lock")
			}
		}
		return fn(AuditStore{tx})
	})
}

// ChainHead returns the last sealed position and hash, or 0 and "".
func (s AuditStore) ChainHead(ctx context.Context) (int64, string, error) {
	var list []models.AuditEntry
	err := s.db.with(ctx).Select("chain_pos", "hash").Where("chain_pos IS NOT NULL").
		Order("chain_pos DESC").Limit(1).Find(&list).Error
	if err != nil {
		return 0, "", translate(err, "read audit chain head")
	}
	if len(list) == 0 {
		return 0, "", nil
	}
	return *list[0].ChainPos, list[0].Hash, nil
}

// LatestAuditCheckpoint returns the highest checkpoint, or ErrNotFound.
func (s AuditStore) LatestAuditCheckpoint(ctx context.Context) (*models.AuditCheckpoint, error) {
	var cp models.AuditCheckpoint
	if err := s.db.with(ctx).Order("chain_pos DESC").Take(&cp).Error; err != nil {
		return nil, translate(err, "latest audit checkpoint")
	}
	return &cp, nil
}

// UnsealedEntries returns up to limit committed unsealed entries by seq.
func (s AuditStore) UnsealedEntries(ctx context.Context, limit int) ([]models.AuditEntry, error) {
	var list []models.AuditEntry
	err := s.db.with(ctx).Where("chain_pos IS NULL").Order("seq").Limit(limit).Find(&list).Error
	return list, translate(err, "list unsealed audit entries")
}

// UnsealedAfter returns up to limit committed unsealed entries with seq >
// after, by seq.
func (s AuditStore) UnsealedAfter(ctx context.Context, after int64, limit int) ([]models.AuditEntry, error) {
	var list []models.AuditEntry
	err := s.db.with(ctx).Where("chain_pos IS NULL AND seq > ?", after).Order("seq").Limit(limit).Find(&list).Error
	return list, translate(err, "list unsealed audit entries")
}

// SealEntry sets the chain fields of an unsealed entry. An entry already
// sealed is ErrNotFound (only another sealer, which the lock excludes, could
// have sealed it); a position already taken is ErrConflict.
func (s AuditStore) SealEntry(ctx context.Context, seq, pos int64, prevHash, hash, alg string) error {
	res := s.db.with(ctx).Model(&models.AuditEntry{}).Where("seq = ? AND chain_pos IS NULL", seq).
		Updates(map[string]any{"chain_pos": pos, "prev_hash": prevHash, "hash": hash, "hash_alg": alg})
	return affectedOne(res, fmt.Sprintf("seal audit entry %d", seq))
}

// SealEntries sets the chain fields of the listed unsealed entries: on
// PostgreSQL one UPDATE ... FROM unnest, on SQLite one statement per entry.
// Any entry already sealed is ErrNotFound (only another sealer, which the
// lock excludes, could have sealed it); a position already taken is
// ErrConflict.
func (s AuditStore) SealEntries(ctx context.Context, list []audit.Link) error {
	if len(list) == 0 {
		return nil
	}
	if s.db.dialect != Postgres {
		for _, l := range list {
			if err := s.SealEntry(ctx, l.Seq, l.Pos, l.PrevHash, l.Hash, l.Alg); err != nil {
				return err
			}
		}
		return nil
	}
	seqs, poss := make([]int64, len(list)), make([]int64, len(list))
	prevs, hashes, algs := make([]string, len(list)), make([]string, len(list)), make([]string, len(list))
	for i, l := range list {
		seqs[i], poss[i], prevs[i], hashes[i], algs[i] = l.Seq, l.Pos, l.PrevHash, l.Hash, l.Alg
	}
	res, err := s.db.with(ctx).Statement.ConnPool.ExecContext(ctx, `UPDATE audit_entries a
SET chain_pos = v.pos, prev_hash = v.prev_hash, hash = v.hash, hash_alg = v.alg
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS v(seq, pos, prev_hash, hash, alg)
WHERE a.seq = v.seq AND a.chain_pos IS NULL`, seqs, poss, prevs, hashes, algs)
	if err != nil {
		return translate(err, "seal audit entries")
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(list)) {
		return fmt.Errorf("seal %d audit entries: %d were unsealed: %w", len(list), n, apperr.ErrNotFound)
	}
	return nil
}

// AuditChain returns sealed entries after position after, in chain order.
func (s AuditStore) AuditChain(ctx context.Context, after int64, limit int) ([]models.AuditEntry, error) {
	var list []models.AuditEntry
	err := s.db.with(ctx).Where("chain_pos > ?", after).Order("chain_pos").Limit(limit).Find(&list).Error
	return list, translate(err, "read audit chain")
}

// CountUnsealed counts committed entries awaiting the sealer.
func (s AuditStore) CountUnsealed(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.with(ctx).Model(&models.AuditEntry{}).Where("chain_pos IS NULL").Count(&n).Error
	return n, translate(err, "count unsealed audit entries")
}

// AuditCheckpoints lists the checkpoints by position.
func (s AuditStore) AuditCheckpoints(ctx context.Context) ([]models.AuditCheckpoint, error) {
	var list []models.AuditCheckpoint
	err := s.db.with(ctx).Order("chain_pos").Find(&list).Error
	return list, translate(err, "list audit checkpoints")
}

// AddAuditCheckpoint records cp unless its position is already recorded.
func (s AuditStore) AddAuditCheckpoint(ctx context.Context, cp *models.AuditCheckpoint) error {
	err := s.db.with(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(cp).Error
	return translate(err, "add audit checkpoint")
}

// AuditEntries lists entries matching f, newest first.
func (s AuditStore) AuditEntries(ctx context.Context, f audit.Filter) ([]models.AuditEntry, error) {
	q := s.db.with(ctx).Order("seq DESC").Limit(f.Limit)
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.SubjectID != "" {
		// Entries naming the subject, and those about a payout batch that
		// holds one of the subject's claims.
		q = q.Where("subject_id = ? OR (subject_id IS NULL AND entity = ? AND entity_id IN (?))", f.SubjectID, audit.EntityPayoutBatch,
			s.db.with(ctx).Table("payout_items AS pi").Select("CAST(pi.batch_id AS text)").
				Joins("JOIN claims AS c ON c.id = pi.claim_id").Where("c.claimant_id = ?", f.SubjectID))
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		q = q.Where("seq < ?", f.Before)
	}
	var list []models.AuditEntry
	return list, translate(q.Find(&list).Error, "list audit entries")
}

// appendAudit records r at the time at, completed with the actor in ctx,
// through db: inside a transaction it commits or rolls back with the change
// it describes.
func (db *DB) appendAudit(ctx context.Context, at time.Time, r audit.Record) error {
	e, err := db.auditEntry(ctx, at, r)
	if err != nil {
		return err
	}
	return AuditStore{db}.AppendAudit(ctx, e)
}

// auditEntry builds the entry of r at the time at, completed with the actor
// in ctx. The time is the use case's own (the claim's filing, the decision's
// making); a zero at falls back on the store's clock.
func (db *DB) auditEntry(ctx context.Context, at time.Time, r audit.Record) (*models.AuditEntry, error) {
	if at.IsZero() {
		at = db.now()
	}
	return audit.Build(audit.FromContext(ctx, r), at, uuid.Must(uuid.NewV7()).String())
}
