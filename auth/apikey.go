package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// APIKeyPrefix starts every partner API key, so that a key is told from
// an access token at a glance (and by the middleware).
const APIKeyPrefix = "bsk_"

// apiKeyShown is how many characters of a key are kept to tell keys
// apart: the prefix and 8 of the 43 random ones, far too few to use.
const apiKeyShown = len(APIKeyPrefix) + 8

// apiKeyTouchEvery is how stale a key's last_used_at may get: a busy
// partner's requests write it once in this interval, not once each.
const apiKeyTouchEvery = time.Minute

// APIKeyStore is what partner keys need from persistence. Missing rows are
// errors wrapping apperr.ErrNotFound. A write with its audit entry runs
// only inside InTx (store.ErrNoTx otherwise).
type APIKeyStore interface {
	// InTx runs fn in one transaction: committed if fn returns nil, rolled
	// back otherwise. Every call on the APIKeyStore given to fn joins it.
	InTx(ctx context.Context, fn func(APIKeyStore) error) error
	// ProviderByID finds a provider.
	ProviderByID(ctx context.Context, id string) (*models.Provider, error)
	// CreateAPIKey stores k and appends entry; it runs only inside InTx
	// (store.ErrNoTx otherwise).
	CreateAPIKey(ctx context.Context, k *models.APIKey, entry *models.AuditEntry) error
	// APIKeys lists every key, revoked ones included, newest first.
	APIKeys(ctx context.Context) ([]models.APIKey, error)
	// APIKeyByHash finds a key, revoked or not, by its SHA-256 (hex).
	APIKeyByHash(ctx context.Context, hash string) (*models.APIKey, error)
	// RevokeAPIKey sets the key's revoked time (kept if revoked already)
	// and appends entry, and returns the key; it runs only inside InTx
	// (store.ErrNoTx otherwise).
	RevokeAPIKey(ctx context.Context, id string, now time.Time, entry *models.AuditEntry) (*models.APIKey, error)
	// TouchAPIKey sets the key's last use to now unless it was set at or
	// after since.
	TouchAPIKey(ctx context.Context, id string, now, since time.Time) error
}

// APIKeys issues, lists, revokes and checks partner API keys: each is
// scoped to one provider's outages, shown once, kept only as its SHA-256.
type APIKeys struct {
	store APIKeyStore
	now   func() time.Time
	newID func() string
}

// NewAPIKeys wires the partner key use cases.
func NewAPIKeys(store APIKeyStore, now func() time.Time, newID func() string) *APIKeys {
	return &APIKeys{store: store, now: now, newID: newID}
}

// IssuedKey is a key just issued: its row and the key itself, which is
// never shown again.
type IssuedKey struct {
	models.APIKey
	Key string
}

// hashAPIKey is what is stored of a key.
func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Issue makes a key named name for providerID's systems, by the admin
// adminID, audited (api_key.issue). A blank or overlong name, or an
// unknown provider, is a *apperr.ValidationError (fields name, provider).
func (k *APIKeys) Issue(ctx context.Context, adminID, name, providerID string) (*IssuedKey, error) {
	name, providerID = strings.TrimSpace(name), strings.TrimSpace(providerID)
	var f apperr.Fields
	if name == "" || utf8.RuneCountInString(name) > 100 {
		f.AddMsg("name", apperr.M("auth.apikey_name"))
	}
	if providerID == "" {
		f.AddMsg("provider", apperr.M("auth.apikey_provider_missing"))
	} else if _, err := k.store.ProviderByID(ctx, providerID); errors.Is(err, apperr.ErrNotFound) {
		f.AddMsg("provider", apperr.M("auth.apikey_provider_unknown"))
	} else if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := k.now().UTC()
	row := models.APIKey{ID: k.newID(), Name: name, ProviderID: providerID, Prefix: key[:apiKeyShown], KeyHash: hashAPIKey(key),
		CreatedBy: &adminID, CreatedAt: now}
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "api_key.issue", Entity: audit.EntityAPIKey,
		EntityID: row.ID, Details: map[string]string{"name": name, "provider_id": providerID, "prefix": row.Prefix}}), now, k.newID())
	if err != nil {
		return nil, err
	}
	if err := k.store.InTx(ctx, func(tx APIKeyStore) error { return tx.CreateAPIKey(ctx, &row, entry) }); err != nil {
		return nil, err
	}
	return &IssuedKey{APIKey: row, Key: key}, nil
}

// List returns every key, revoked ones included, newest first, without
// anything that could be used as the key.
func (k *APIKeys) List(ctx context.Context) ([]models.APIKey, error) { return k.store.APIKeys(ctx) }

// Revoke stops the key id from authenticating, audited (api_key.revoke);
// revoking twice keeps the first time. An unknown id is apperr.ErrNotFound.
func (k *APIKeys) Revoke(ctx context.Context, id string) (*models.APIKey, error) {
	now := k.now().UTC()
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "api_key.revoke", Entity: audit.EntityAPIKey, EntityID: id}), now, k.newID())
	if err != nil {
		return nil, err
	}
	var key *models.APIKey
	err = k.store.InTx(ctx, func(tx APIKeyStore) error {
		var err error
		key, err = tx.RevokeAPIKey(ctx, id, now, entry)
		return err
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// Authenticate returns the live key that key is, and records its use (at
// most once every minute). A key that is malformed, unknown or revoked is
// apperr.ErrUnauthenticated.
func (k *APIKeys) Authenticate(ctx context.Context, key string) (*models.APIKey, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) > 200 {
		return nil, fmt.Errorf("api key: malformed: %w", apperr.ErrUnauthenticated)
	}
	row, err := k.store.APIKeyByHash(ctx, hashAPIKey(key))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, fmt.Errorf("api key: unknown: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if row.RevokedAt != nil {
		return nil, fmt.Errorf("api key %s revoked: %w", row.ID, apperr.ErrUnauthenticated)
	}
	now := k.now().UTC()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= apiKeyTouchEvery {
		if err := k.store.TouchAPIKey(ctx, row.ID, now, now.Add(-apiKeyTouchEvery)); err != nil {
			return nil, err
		}
		row.LastUsedAt = &now
	}
	return row, nil
}
