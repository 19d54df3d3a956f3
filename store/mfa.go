package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// MFAFactor returns the user's second factor; ErrNotFound when none.
func (db *DB) MFAFactor(ctx context.Context, userID string) (*models.MFAFactor, error) {
	if !validUUID(userID) {
		return nil, fmt.Errorf("find factor of %q: %w", userID, apperr.ErrNotFound)
	}
	var f models.MFAFactor
	if err := db.with(ctx).Where("user_id = ?", userID).Take(&f).Error; err != nil {
		return nil, translate(err, "find factor of "+userID)
	}
	return &f, nil
}

// SavePendingMFA upserts f as the user's pending factor; the conditional
// upsert leaves a confirmed factor alone (ErrConflict), also when it was
// confirmed a moment ago by a concurrent login.
func (db *DB) SavePendingMFA(ctx context.Context, f *models.MFAFactor) error {
	res := db.with(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.Assignments(map[string]any{"secret_sealed": f.SecretSealed, "secret_key_id": f.SecretKeyID,
			"last_step": 0, "created_at": f.CreatedAt.UTC(), "updated_at": f.UpdatedAt.UTC()}),
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "mfa_factors.confirmed_at IS NULL"}}},
	}).Create(f)
	if res.Error != nil {
		return translate(res.Error, "save pending factor of "+f.UserID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("factor of %s is confirmed: %w", f.UserID, apperr.ErrConflict)
	}
	return nil
}

// ConfirmMFA confirms the pending factor sealed with sealed and stores
// the recovery codes. It runs only inside InTx (store.ErrNoTx otherwise);
// a factor no longer pending with that secret is ErrConflict.
func (db *DB) ConfirmMFA(ctx context.Context, userID, sealed string, step int64, now time.Time, codes []models.MFARecoveryCode) error {
	if err := db.needTx("confirm factor of " + userID); err != nil {
		return err
	}
	res := db.with(ctx).Model(&models.MFAFactor{}).
		Where("user_id = ? AND confirmed_at IS NULL AND secret_sealed = ?", userID, sealed).
		Updates(map[string]any{"confirmed_at": now.UTC(), "last_step": step, "updated_at": now.UTC()})
	if res.Error != nil {
		return translate(res.Error, "confirm factor of "+userID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("factor of %s is no longer pending with that secret: %w", userID, apperr.ErrConflict)
	}
	err := db.with(ctx).Where("user_id = ?", userID).Delete(&models.MFARecoveryCode{}).Error
	if err != nil {
		return translate(err, "clear recovery codes of "+userID)
	}
	if len(codes) == 0 {
		return nil
	}
	return translate(db.with(ctx).Create(&codes).Error, "store recovery codes of "+userID)
}

// UseTOTPStep moves the confirmed factor's last step forward to step; the
// conditional UPDATE lets one of two concurrent uses of a code win.
func (db *DB) UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error {
	res := db.with(ctx).Model(&models.MFAFactor{}).
		Where("user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", userID, step).
		Updates(map[string]any{"last_step": step, "updated_at": now.UTC()})
	if res.Error != nil {
		return translate(res.Error, "use TOTP step of "+userID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("TOTP step %d of %s used already: %w", step, userID, apperr.ErrConflict)
	}
	return nil
}

// UseRecoveryCode spends an unused recovery code, once.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	if !validUUID(userID) {
		return fmt.Errorf("recovery code of %q: %w", userID, apperr.ErrNotFound)
	}
	res := db.with(ctx).Model(&models.MFARecoveryCode{}).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).Update("used_at", now.UTC())
	if res.Error != nil {
		return translate(res.Error, "use recovery code of "+userID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("no unused recovery code of %s matches: %w", userID, apperr.ErrNotFound)
	}
	return nil
}

// ResetMFA removes the user's factor and recovery codes and ends their
// sessions, with the audit entry. It runs only inside InTx (store.ErrNoTx
// otherwise); a missing user is ErrNotFound.
func (db *DB) ResetMFA(ctx context.Context, userID string, now time.Time, entry *models.AuditEntry) error {
	if err := db.needTx("reset factor of " + userID); err != nil {
		return err
	}
	if err := db.BumpTokenVersion(ctx, userID); err != nil {
		return err
	}
	if err := db.with(ctx).Where("user_id = ?", userID).Delete(&models.MFARecoveryCode{}).Error; err != nil {
		return translate(err, "delete recovery codes of "+userID)
	}
	if err := db.with(ctx).Where("user_id = ?", userID).Delete(&models.MFAFactor{}).Error; err != nil {
		return translate(err, "delete factor of "+userID)
	}
	if err := db.RevokeUserRefreshTokens(ctx, userID, now); err != nil {
		return err
	}
	return AuditStore{db}.AppendAudit(ctx, entry)
}
