package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// ListUsers returns up to limit accounts ordered by role and e-mail: the
// staff when query is empty, else every account whose e-mail or name
// contains query (case-insensitively). Each comes with whether a second
// factor is confirmed.
func (db *DB) ListUsers(ctx context.Context, query string, limit int) ([]models.User, map[string]bool, error) {
	q := db.with(ctx).Model(&models.User{})
	if query = strings.ToLower(strings.TrimSpace(query)); query == "" {
		q = q.Where("role <> ?", models.RoleClaimant.String())
	} else {
		like := "%" + escapeLike(query) + "%"
		q = q.Where(`lower(email) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\'`, like, like)
	}
	var users []models.User
	if err := q.Order("role, email").Limit(limit).Find(&users).Error; err != nil {
		return nil, nil, translate(err, "list users")
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var confirmed []string
	if len(ids) > 0 {
		err := db.with(ctx).Model(&models.MFAFactor{}).Where("user_id IN ? AND confirmed_at IS NOT NULL", ids).
			Pluck("user_id", &confirmed).Error
		if err != nil {
			return nil, nil, translate(err, "list factors")
		}
	}
	mfa := make(map[string]bool, len(confirmed))
	for _, id := range confirmed {
		mfa[id] = true
	}
	return users, mfa, nil
}

// escapeLike escapes LIKE's wildcards and its escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// UpdateUserAccess sets the user's role and disabled time, ends every
// session they hold (token version and refresh tokens) and appends entry
// to the audit trail. It runs only inside InTx (store.ErrNoTx otherwise).
// A missing user is ErrNotFound.
func (db *DB) UpdateUserAccess(ctx context.Context, id string, role models.Role, disabledAt *time.Time, now time.Time, entry *models.AuditEntry) error {
	if err := db.needTx("update access of user " + id); err != nil {
		return err
	}
	res := db.with(ctx).Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{
		"role": role.String(), "disabled_at": disabledAt,
		"token_version": gorm.Expr("token_version + 1"), "updated_at": now,
	})
	if err := db.changedOne(res, id, "update user "+id); err != nil {
		return err
	}
	if err := db.RevokeUserRefreshTokens(ctx, id, now); err != nil {
		return err
	}
	return AuditStore{db}.AppendAudit(ctx, entry)
}

// CreateUserAudited inserts u with entry in the audit trail. It runs only
// inside InTx (store.ErrNoTx otherwise); a taken e-mail is ErrConflict.
func (db *DB) CreateUserAudited(ctx context.Context, u *models.User, entry *models.AuditEntry) error {
	if err := db.needTx("create user"); err != nil {
		return err
	}
	if err := db.CreateUser(ctx, u); err != nil {
		return err
	}
	return AuditStore{db}.AppendAudit(ctx, entry)
}

// CreatePasswordReset stores r and its outbox message m. It runs only
// inside InTx (store.ErrNoTx otherwise).
func (db *DB) CreatePasswordReset(ctx context.Context, r *models.PasswordReset, m *models.OutboxMessage) error {
	if err := db.needTx("create password reset"); err != nil {
		return err
	}
	if err := translate(db.with(ctx).Create(r).Error, "create password reset"); err != nil {
		return err
	}
	return db.EnqueueOnce(ctx, m)
}

// PasswordResetByHash finds a reset by its token's hash, live or not.
func (db *DB) PasswordResetByHash(ctx context.Context, hash string) (*models.PasswordReset, error) {
	var r models.PasswordReset
	if err := db.with(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return nil, translate(err, "find password reset")
	}
	return &r, nil
}

// UsePasswordReset spends the reset if it is unused and unexpired at now
// (else ErrConflict), sets the user's password hash, spends their other
// live resets, ends their sessions and appends entry. It runs only inside
// InTx (store.ErrNoTx otherwise).
func (db *DB) UsePasswordReset(ctx context.Context, id, passwordHash string, now time.Time, entry *models.AuditEntry) error {
	if err := db.needTx("use password reset " + id); err != nil {
		return err
	}
	var r models.PasswordReset
	if err := db.with(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return translate(err, "find password reset "+id)
	}
	res := db.with(ctx).Model(&models.PasswordReset{}).
		Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now).Update("used_at", now)
	if res.Error != nil {
		return translate(res.Error, "spend password reset")
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("password reset %s used or expired: %w", id, apperr.ErrConflict)
	}
	err := db.with(ctx).Model(&models.PasswordReset{}).
		Where("user_id = ? AND used_at IS NULL", r.UserID).Update("used_at", now).Error
	if err != nil {
		return translate(err, "spend other password resets")
	}
	res = db.with(ctx).Model(&models.User{}).Where("id = ?", r.UserID).Updates(map[string]any{
		"password_hash": passwordHash, "token_version": gorm.Expr("token_version + 1"), "updated_at": now,
	})
	if err := db.changedOne(res, r.UserID, "set password of "+r.UserID); err != nil {
		return err
	}
	if err := db.RevokeUserRefreshTokens(ctx, r.UserID, now); err != nil {
		return err
	}
	return AuditStore{db}.AppendAudit(ctx, entry)
}
