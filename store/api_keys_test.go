package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

func TestAPIKeysIssueAuthenticateRevoke(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		keys := auth.NewAPIKeys(db.APIKeys(), func() time.Time { return now }, func() string { return uuid.Must(uuid.NewV7()).String() })
		admin := newUser("admin@example.com")
		admin.Role = models.RoleAdmin
		if err := db.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		prov := &models.Provider{ID: uuid.NewString(), Name: "카카오", Kind: "value_added", CreatedAt: now}
		if err := db.Outages().CreateProvider(ctx, prov); err != nil {
			t.Fatal(err)
		}
		_, err := keys.Issue(ctx, admin.ID, " ", uuid.NewString())
		var ve *apperr.ValidationError
		if !errors.As(err, &ve) || ve.Fields["name"].In("ko") == "" || ve.Fields["provider"].In("en") == "" {
			t.Fatalf("blank name, unknown provider: got %v, want errors on name and provider", err)
		}
		issued, err := keys.Issue(ctx, admin.ID, "billing sync", prov.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(issued.Key, auth.APIKeyPrefix) || len(issued.Key) != len(auth.APIKeyPrefix)+43 || !strings.HasPrefix(issued.Key, issued.Prefix) {
			t.Fatalf("key %q with prefix %q: want bsk_ and 43 base64url characters, the prefix its start", issued.Key, issued.Prefix)
		}
		list, err := keys.List(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: got %d keys, %v; want 1", len(list), err)
		}
		sum := sha256.Sum256([]byte(issued.Key))
		if list[0].KeyHash != hex.EncodeToString(sum[:]) || strings.Contains(list[0].KeyHash, issued.Key[len(auth.APIKeyPrefix):]) {
			t.Fatalf("stored hash %q: want the key's SHA-256 only", list[0].KeyHash)
		}
		got, err := keys.Authenticate(ctx, issued.Key)
		if err != nil || got.ID != issued.ID || got.ProviderID != prov.ID {
			t.Fatalf("authenticate: got %+v, %v", got, err)
		}
		list, _ = keys.List(ctx)
		if list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(now) {
			t.Fatalf("last used: got %v, want %v", list[0].LastUsedAt, now)
		}
		// Within the minute a use is not written again.
		now = now.Add(59 * time.Second)
		if _, err := keys.Authenticate(ctx, issued.Key); err != nil {
			t.Fatal(err)
		}
		if list, _ = keys.List(ctx); !list[0].LastUsedAt.Equal(now.Add(-59 * time.Second)) {
			t.Fatalf("last used 59 s later: got %v, want unchanged", list[0].LastUsedAt)
		}
		for name, k := range map[string]string{"unknown key": auth.APIKeyPrefix + strings.Repeat("A", 43), "no prefix": issued.Key[4:], "empty": ""} {
			if _, err := keys.Authenticate(ctx, k); !errors.Is(err, apperr.ErrUnauthenticated) {
				t.Errorf("%s: got %v, want ErrUnauthenticated", name, err)
			}
		}
		revoked, err := keys.Revoke(ctx, issued.ID)
		if err != nil || revoked.RevokedAt == nil {
			t.Fatalf("revoke: %+v, %v", revoked, err)
		}
		if _, err := keys.Authenticate(ctx, issued.Key); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("revoked key: got %v, want ErrUnauthenticated", err)
		}
		now = now.Add(time.Hour)
		again, err := keys.Revoke(ctx, issued.ID)
		if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Fatalf("revoking twice: got %v, %v; want the first time kept", again.RevokedAt, err)
		}
		if _, err := keys.Revoke(ctx, uuid.NewString()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("revoke unknown: got %v, want ErrNotFound", err)
		}
	})
}
