package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// AccountStore implements auth.Store: the account methods of DB, and an
// InTx that hands the use case a store joined to its transaction.
type AccountStore struct{ *DB }

// Accounts returns the store of accounts, sessions and second factors.
func (db *DB) Accounts() AccountStore { return AccountStore{db} }

var _ auth.Store = AccountStore{}

// InTx runs fn in one transaction (see DB.InTx); every call on the store
// fn is given joins it.
func (s AccountStore) InTx(ctx context.Context, fn func(auth.Store) error) error {
	return s.DB.InTx(ctx, func(tx *DB) error { return fn(AccountStore{tx}) })
}

// CreateUser inserts u; a taken e-mail (case-insensitive) is ErrConflict.
// An enabled account's insert leaves disabled_at to the column's default,
// so it also works on a schema from before accounts could be disabled
// (migration tests create users there).
func (db *DB) CreateUser(ctx context.Context, u *models.User) error {
	// Columns added by later migrations are left out while unset, so
	// that migration tests can create users on an older schema.
	var omit []string
	for col, unset := range map[string]bool{"DisabledAt": u.DisabledAt == nil,
		"PhoneVerifiedAt": u.PhoneVerifiedAt == nil, "EmailVerifiedAt": u.EmailVerifiedAt == nil} {
		if unset {
			omit = append(omit, col)
		}
	}
	return translate(db.with(ctx).Omit(omit...).Create(u).Error, "create user")
}

// UserByEmail finds a user by e-mail, case-insensitively.
func (db *DB) UserByEmail(ctx context.Context, email string) (*models.User, error) {
	var u models.User
	err := db.with(ctx).Where("lower(email) = ?", strings.ToLower(email)).Take(&u).Error
	if err != nil {
		return nil, translate(err, "find user by e-mail")
	}
	return &u, nil
}

// UserByID finds a user by id; a malformed id is ErrNotFound too.
func (db *DB) UserByID(ctx context.Context, id string) (*models.User, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("find user %q: %w", id, apperr.ErrNotFound)
	}
	var u models.User
	if err := db.with(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, translate(err, "find user "+id)
	}
	return &u, nil
}

// UpdateUserSecurity sets role and password hash and bumps the token version.
func (db *DB) UpdateUserSecurity(ctx context.Context, id string, role models.Role, passwordHash string) error {
	res := db.with(ctx).Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{
		"role": role.String(), "password_hash": passwordHash,
		"token_version": gorm.Expr("token_version + 1"), "updated_at": db.now().UTC(),
	})
	return db.changedOne(res, id, "update user "+id)
}

// BumpTokenVersion increments the user's token version.
func (db *DB) BumpTokenVersion(ctx context.Context, id string) error {
	res := db.with(ctx).Model(&models.User{}).Where("id = ?", id).
		Update("token_version", gorm.Expr("token_version + 1"))
	return db.changedOne(res, id, "bump token version "+id)
}

// CreateRefreshToken stores a refresh token (its hash only).
func (db *DB) CreateRefreshToken(ctx context.Context, t *models.RefreshToken) error {
	return translate(db.with(ctx).Create(t).Error, "create refresh token")
}

// RotateRefreshToken spends the live token with this hash and stores next,
// which takes the spent token's user and family. It runs only inside InTx
// (store.ErrNoTx otherwise). The conditional UPDATE means two concurrent
// rotations of one token cannot both succeed, and a rotation that loses
// the race sees the winner's successor already stored. A token spent or
// revoked already returns it with auth.ErrTokenReused (next is not
// stored); an unknown or expired one, ErrNotFound.
func (db *DB) RotateRefreshToken(ctx context.Context, hash string, next *models.RefreshToken, now time.Time) (*models.RefreshToken, error) {
	if err := db.needTx("rotate refresh token"); err != nil {
		return nil, err
	}
	res := db.with(ctx).Model(&models.RefreshToken{}).
		Where("token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", hash, now).
		Update("used_at", now)
	if res.Error != nil {
		return nil, translate(res.Error, "spend refresh token")
	}
	var spent models.RefreshToken
	if err := db.with(ctx).Where("token_hash = ?", hash).Take(&spent).Error; err != nil {
		return nil, translate(err, "find refresh token")
	}
	switch {
	case res.RowsAffected == 1:
		next.UserID, next.FamilyID = spent.UserID, spent.FamilyID
		if err := translate(db.with(ctx).Create(next).Error, "create refresh token"); err != nil {
			return nil, err
		}
		return &spent, nil
	case spent.UsedAt != nil || spent.RevokedAt != nil:
		return &spent, fmt.Errorf("refresh token %s: %w", spent.ID, auth.ErrTokenReused)
	}
	return nil, fmt.Errorf("refresh token %s expired: %w", spent.ID, apperr.ErrNotFound)
}

// RefreshTokenByHash finds a refresh token, live or not, by its hash.
func (db *DB) RefreshTokenByHash(ctx context.Context, hash string) (*models.RefreshToken, error) {
	var t models.RefreshToken
	if err := db.with(ctx).Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return nil, translate(err, "find refresh token")
	}
	return &t, nil
}

// RevokeFamily revokes every refresh token of a family and bumps the user's
// token version. It runs only inside InTx (store.ErrNoTx otherwise).
func (db *DB) RevokeFamily(ctx context.Context, userID, familyID string, now time.Time) error {
	if err := db.needTx("revoke refresh family"); err != nil {
		return err
	}
	err := db.with(ctx).Model(&models.RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", now).Error
	if err != nil {
		return translate(err, "revoke refresh family")
	}
	return db.BumpTokenVersion(ctx, userID)
}

// RevokeUserRefreshTokens revokes every refresh token of a user.
func (db *DB) RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error {
	err := db.with(ctx).Model(&models.RefreshToken{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
	return translate(err, "revoke user refresh tokens")
}

// RecordLoginFailure counts a failure in one upsert, so concurrent guesses are
// all counted; a window older than window restarts at one.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	cutoff := now.Add(-window).UTC()
	var n int
	err := db.with(ctx).Raw(`INSERT INTO login_throttles (key, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN login_throttles.window_start < ? THEN 1 ELSE login_throttles.failures + 1 END,
  window_start = CASE WHEN login_throttles.window_start < ? THEN excluded.window_start ELSE login_throttles.window_start END
RETURNING failures`, key, now.UTC(), cutoff, cutoff).Scan(&n).Error
	return n, translate(err, "record login failure")
}

// BlockLogin refuses logins for key until the given time.
func (db *DB) BlockLogin(ctx context.Context, key string, until time.Time) error {
	err := db.with(ctx).Model(&models.LoginThrottle{}).Where("key = ?", key).Update("blocked_until", until.UTC()).Error
	return translate(err, "block login")
}

// LoginBlockedUntil returns the end of a block on key, or the zero time.
func (db *DB) LoginBlockedUntil(ctx context.Context, key string) (time.Time, error) {
	var t models.LoginThrottle
	err := db.with(ctx).Where("key = ?", key).Take(&t).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, translate(err, "read login throttle")
	case t.BlockedUntil == nil:
		return time.Time{}, nil
	}
	return *t.BlockedUntil, nil
}

// ClearLoginFailures forgets the failures of key after a successful login.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return translate(db.with(ctx).Where("key = ?", key).Delete(&models.LoginThrottle{}).Error, "clear login failures")
}

func affectedOne(res *gorm.DB, what string) error {
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
	}
	return nil
}

// validUUID accepts the canonical 36-character form (input.IsID), so that a
// malformed id is a clean not-found on PostgreSQL's uuid columns rather than
// a cast error.
func validUUID(s string) bool { return input.IsID(s) }

// EnqueueOnce adds an outbox message and its job unless a message with the
// same dedupe id is there already (delivered or not); then it adds neither.
func (db *DB) EnqueueOnce(ctx context.Context, m *models.OutboxMessage) error {
	return db.enqueue(ctx, true, m)
}
