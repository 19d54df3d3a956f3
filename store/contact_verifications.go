package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/models"
)

// ContactStore implements contact.Store.
type ContactStore struct{ db *DB }

// Contacts returns the store of one-time codes.
func (db *DB) Contacts() ContactStore { return ContactStore{db} }

var _ contact.Store = ContactStore{}

// InTx runs fn in one transaction (see DB.InTx); every call on the store
// fn is given joins it.
func (s ContactStore) InTx(ctx context.Context, fn func(contact.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(ContactStore{tx}) })
}

// UserByID finds a user by id.
func (s ContactStore) UserByID(ctx context.Context, id string) (*models.User, error) {
	return s.db.UserByID(ctx, id)
}

// VerificationsSince returns the creation times of the user's codes
// created at or after since, oldest first.
func (s ContactStore) VerificationsSince(ctx context.Context, userID string, since time.Time) ([]time.Time, error) {
	var vs []models.ContactVerification
	err := s.db.with(ctx).Select("created_at").Where("user_id = ? AND created_at >= ?", userID, since.UTC()).
		Order("created_at").Find(&vs).Error
	out := make([]time.Time, len(vs))
	for i, v := range vs {
		out[i] = v.CreatedAt
	}
	return out, translate(err, "list codes of user "+userID)
}

// LatestVerification returns the user's newest code for channel;
// apperr.ErrNotFound when none was sent.
func (s ContactStore) LatestVerification(ctx context.Context, userID, channel string) (*models.ContactVerification, error) {
	var v models.ContactVerification
	err := s.db.with(ctx).Where("user_id = ? AND channel = ?", userID, channel).Order("created_at DESC, id DESC").Take(&v).Error
	if err != nil {
		return nil, translate(err, "find the latest "+channel+" code of user "+userID)
	}
	return &v, nil
}

// CreateVerification stores v, its outbox message m and entry. It runs
// only inside InTx (store.ErrNoTx otherwise).
func (s ContactStore) CreateVerification(ctx context.Context, v *models.ContactVerification, m *models.OutboxMessage, entry *models.AuditEntry) error {
	if err := s.db.needTx("create code"); err != nil {
		return err
	}
	if err := translate(s.db.with(ctx).Omit("VerifiedAt").Create(v).Error, "create code"); err != nil {
		return err
	}
	if err := s.db.EnqueueOnce(ctx, m); err != nil {
		return err
	}
	return s.db.Audit().AppendAudit(ctx, entry)
}

// SpendAttempt counts one guess on the code if it is unverified and has
// had fewer than max; otherwise apperr.ErrConflict and nothing changes.
func (s ContactStore) SpendAttempt(ctx context.Context, id string, max int) error {
	res := s.db.with(ctx).Model(&models.ContactVerification{}).
		Where("id = ? AND verified_at IS NULL AND attempts < ?", id, max).
		Update("attempts", gorm.Expr("attempts + 1"))
	if err := translate(res.Error, "count a guess on code "+id); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("code %s spent or verified: %w", id, apperr.ErrConflict)
	}
	return nil
}

// verifiedColumn is the users column a channel's proof sets.
var verifiedColumn = map[string]string{"phone": "phone_verified_at", "email": "email_verified_at"}

// MarkVerified sets the code's verified time and the user's verified time
// for channel, and appends entry. It runs only inside InTx (store.ErrNoTx
// otherwise); a code verified already is apperr.ErrConflict.
func (s ContactStore) MarkVerified(ctx context.Context, id, userID, channel string, now time.Time, entry *models.AuditEntry) error {
	if err := s.db.needTx("mark code " + id + " verified"); err != nil {
		return err
	}
	col, ok := verifiedColumn[channel]
	if !ok {
		return fmt.Errorf("channel %q: %w", channel, apperr.ErrInvalid)
	}
	res := s.db.with(ctx).Model(&models.ContactVerification{}).Where("id = ? AND user_id = ? AND verified_at IS NULL", id, userID).
		Update("verified_at", now.UTC())
	if err := translate(res.Error, "mark code "+id+" verified"); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("code %s verified already: %w", id, apperr.ErrConflict)
	}
	res = s.db.with(ctx).Model(&models.User{}).Where("id = ?", userID).Updates(map[string]any{col: now.UTC(), "updated_at": now.UTC()})
	if err := s.db.changedOne(res, userID, "mark user "+userID+" "+channel+" verified"); err != nil {
		return err
	}
	return s.db.Audit().AppendAudit(ctx, entry)
}
