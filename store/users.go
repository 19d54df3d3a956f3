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
	"github.com/bosang/bosang/models"
)

var _ auth.Store = (*DB)(nil)

// CreateUser inserts u; a taken e-mail (case-insensitive) is ErrConflict.
func (db *DB) CreateUser(ctx context.Context, u *models.User) error {
	return translate(db.with(ctx).Create(u).Error, "create user")
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
		"token_version": gorm.Expr("token_version + 1"), "updated_at": time.Now().UTC(),
	})
	return affectedOne(res, "update user "+id)
}

// BumpTokenVersion increments the user's token version.
func (db *DB) BumpTokenVersion(ctx context.Context, id string) error {
	res := db.with(ctx).Model(&models.User{}).Where("id = ?", id).
		Update("token_version", gorm.Expr("token_version + 1"))
	return affectedOne(res, "bump token version "+id)
}

// CreateRefreshToken stores a refresh token (its hash only).
func (db *DB) CreateRefreshToken(ctx context.Context, t *models.RefreshToken) error {
	return translate(db.with(ctx).Create(t).Error, "create refresh token")
}

// ConsumeRefreshToken spends a live token in one conditional UPDATE, so two
// concurrent refreshes with one token cannot both succeed.
func (db *DB) ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (*models.RefreshToken, error) {
	res := db.with(ctx).Model(&models.RefreshToken{}).
		Where("token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", hash, now).
		Update("used_at", now)
	if res.Error != nil {
		return nil, translate(res.Error, "consume refresh token")
	}
	var t models.RefreshToken
	if err := db.with(ctx).Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return nil, translate(err, "find refresh token")
	}
	if res.RowsAffected == 1 {
		return &t, nil
	}
	if t.UsedAt != nil || t.RevokedAt != nil {
		return &t, fmt.Errorf("refresh token %s: %w", t.ID, auth.ErrTokenReused)
	}
	return nil, fmt.Errorf("refresh token %s expired: %w", t.ID, apperr.ErrNotFound)
}

// RevokeRefreshFamily revokes every token of a family.
func (db *DB) RevokeRefreshFamily(ctx context.Context, familyID string, now time.Time) error {
	err := db.with(ctx).Model(&models.RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", now).Error
	return translate(err, "revoke refresh family")
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

// validUUID accepts the canonical 36-character form, so that a malformed id
// is a clean not-found on PostgreSQL's uuid columns rather than a cast error.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
