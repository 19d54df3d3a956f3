package store

import (
	"context"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

// APIKeyStore implements auth.APIKeyStore.
type APIKeyStore struct{ db *DB }

// APIKeys returns the store of partner API keys.
func (db *DB) APIKeys() APIKeyStore { return APIKeyStore{db} }

var _ auth.APIKeyStore = APIKeyStore{}

// InTx runs fn in one transaction (see DB.InTx); every call on the store
// fn is given joins it.
func (s APIKeyStore) InTx(ctx context.Context, fn func(auth.APIKeyStore) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(APIKeyStore{tx}) })
}

// ProviderByID finds a provider; a malformed id is ErrNotFound too.
func (s APIKeyStore) ProviderByID(ctx context.Context, id string) (*models.Provider, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("find provider %q: %w", id, apperr.ErrNotFound)
	}
	var p models.Provider
	if err := s.db.with(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, translate(err, "find provider "+id)
	}
	return &p, nil
}

// CreateAPIKey stores k and appends entry. It runs only inside InTx
// (store.ErrNoTx otherwise).
func (s APIKeyStore) CreateAPIKey(ctx context.Context, k *models.APIKey, entry *models.AuditEntry) error {
	if err := s.db.needTx("create api key"); err != nil {
		return err
	}
	if err := translate(s.db.with(ctx).Create(k).Error, "create api key"); err != nil {
		return err
	}
	return s.db.Audit().AppendAudit(ctx, entry)
}

// APIKeys lists every key, newest first.
func (s APIKeyStore) APIKeys(ctx context.Context) ([]models.APIKey, error) {
	var out []models.APIKey
	err := s.db.with(ctx).Order("created_at DESC, id DESC").Find(&out).Error
	return out, translate(err, "list api keys")
}

// APIKeyByHash finds a key by its SHA-256 (hex), revoked or not.
func (s APIKeyStore) APIKeyByHash(ctx context.Context, hash string) (*models.APIKey, error) {
	var k models.APIKey
	if err := s.db.with(ctx).Where("key_hash = ?", hash).Take(&k).Error; err != nil {
		return nil, translate(err, "find api key")
	}
	return &k, nil
}

// RevokeAPIKey sets the key's revoked time unless set already and appends
// entry, and returns the key. It runs only inside InTx (store.ErrNoTx
// otherwise); an unknown id is ErrNotFound.
func (s APIKeyStore) RevokeAPIKey(ctx context.Context, id string, now time.Time, entry *models.AuditEntry) (*models.APIKey, error) {
	if err := s.db.needTx("revoke api key " + id); err != nil {
		return nil, err
	}
	if !validUUID(id) {
		return nil, fmt.Errorf("revoke api key %q: %w", id, apperr.ErrNotFound)
	}
	var k models.APIKey
	if err := s.db.with(ctx).Where("id = ?", id).Take(&k).Error; err != nil {
		return nil, translate(err, "find api key "+id)
	}
	if k.RevokedAt != nil {
		return &k, nil
	}
	at := now.UTC()
	res := s.db.with(ctx).Model(&models.APIKey{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at)
	if err := affectedOne(res, "revoke api key "+id); err != nil {
		return nil, err
	}
	k.RevokedAt = &at
	if err := s.db.Audit().AppendAudit(ctx, entry); err != nil {
		return nil, err
	}
	return &k, nil
}

// TouchAPIKey sets the key's last use to now unless it was set at or
// after since: concurrent requests write it once.
func (s APIKeyStore) TouchAPIKey(ctx context.Context, id string, now, since time.Time) error {
	err := s.db.with(ctx).Model(&models.APIKey{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, since.UTC()).
		Update("last_used_at", now.UTC()).Error
	return translate(err, "record use of api key "+id)
}
