package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// accountTables are the tables the account-side writes touch.
var accountTables = []string{"users", "refresh_tokens", "password_resets", "mfa_factors", "mfa_recovery_codes",
	"api_keys", "contact_verifications", "outbox", "outbox_unqueued", "audit_entries"}

// TestAccountWritesNeedTx: each account-side write of several rows
// refuses to run outside InTx with store.ErrNoTx and writes nothing, and
// inside InTx it writes, on both dialects.
func TestAccountWritesNeedTx(t *testing.T) {
	ctx := context.Background()
	now := testNow
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	hash := func() string { sum := sha256.Sum256([]byte(id())); return hex.EncodeToString(sum[:]) }
	entry := func(subject string) *models.AuditEntry {
		return &models.AuditEntry{ID: id(), At: now, ActorRole: "system", Action: "user.test", Entity: "user",
			EntityID: subject, SubjectID: &subject, Details: "{}"}
	}
	message := func(topic string) *models.OutboxMessage {
		return &models.OutboxMessage{ID: id(), Topic: topic, DedupeID: "needtx-" + id(), Payload: "{}", AvailableAt: now, CreatedAt: now}
	}
	// Each case prepares its rows on db and returns the write to try.
	cases := []struct {
		name    string
		prepare func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error
	}{
		{"UpdateUserAccess", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			return func(tx *store.DB) error {
				return tx.UpdateUserAccess(ctx, u.ID, models.RoleReviewer, nil, now, entry(u.ID))
			}
		}},
		{"CreateUserAudited", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			created := newUser("created-" + u.Email)
			return func(tx *store.DB) error { return tx.CreateUserAudited(ctx, created, entry(created.ID)) }
		}},
		{"CreatePasswordReset", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			r := &models.PasswordReset{ID: id(), UserID: u.ID, TokenHash: hash(), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			return func(tx *store.DB) error { return tx.CreatePasswordReset(ctx, r, message("auth.password_reset")) }
		}},
		{"UsePasswordReset", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			r := &models.PasswordReset{ID: id(), UserID: u.ID, TokenHash: hash(), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			failOn(t, db.InTx(ctx, func(tx *store.DB) error { return tx.CreatePasswordReset(ctx, r, message("auth.password_reset")) }))
			return func(tx *store.DB) error { return tx.UsePasswordReset(ctx, r.ID, "new-hash", now, entry(u.ID)) }
		}},
		{"ConfirmMFA", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			failOn(t, db.SavePendingMFA(ctx, &models.MFAFactor{UserID: u.ID, SecretSealed: "sealed", SecretKeyID: "k1", CreatedAt: now, UpdatedAt: now}))
			codes := []models.MFARecoveryCode{{ID: id(), UserID: u.ID, CodeHash: strings.Repeat("a", 64), CreatedAt: now}}
			return func(tx *store.DB) error { return tx.ConfirmMFA(ctx, u.ID, "sealed", 100, now, codes) }
		}},
		{"ResetMFA", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			failOn(t, db.SavePendingMFA(ctx, &models.MFAFactor{UserID: u.ID, SecretSealed: "sealed", SecretKeyID: "k1", CreatedAt: now, UpdatedAt: now}))
			return func(tx *store.DB) error { return tx.ResetMFA(ctx, u.ID, now, entry(u.ID)) }
		}},
		{"RotateRefreshToken", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			rt := &models.RefreshToken{ID: id(), UserID: u.ID, FamilyID: id(), TokenHash: "rt-" + id(), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			failOn(t, db.CreateRefreshToken(ctx, rt))
			next := &models.RefreshToken{ID: id(), TokenHash: "rt-" + id(), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			return func(tx *store.DB) error { _, err := tx.RotateRefreshToken(ctx, rt.TokenHash, next, now); return err }
		}},
		{"RevokeFamily", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			rt := &models.RefreshToken{ID: id(), UserID: u.ID, FamilyID: id(), TokenHash: "rt-" + id(), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			failOn(t, db.CreateRefreshToken(ctx, rt))
			return func(tx *store.DB) error { return tx.RevokeFamily(ctx, u.ID, rt.FamilyID, now) }
		}},
		{"CreateAPIKey", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			k := &models.APIKey{ID: id(), Name: "sync", ProviderID: storedProvider(t, db), Prefix: "bsk_test", KeyHash: hash(), CreatedBy: &u.ID, CreatedAt: now}
			return func(tx *store.DB) error { return tx.APIKeys().CreateAPIKey(ctx, k, entry(u.ID)) }
		}},
		{"RevokeAPIKey", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			k := &models.APIKey{ID: id(), Name: "sync", ProviderID: storedProvider(t, db), Prefix: "bsk_test", KeyHash: hash(), CreatedBy: &u.ID, CreatedAt: now}
			failOn(t, db.InTx(ctx, func(tx *store.DB) error { return tx.APIKeys().CreateAPIKey(ctx, k, entry(u.ID)) }))
			return func(tx *store.DB) error { _, err := tx.APIKeys().RevokeAPIKey(ctx, k.ID, now, entry(u.ID)); return err }
		}},
		{"CreateVerification", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			v := &models.ContactVerification{ID: id(), UserID: u.ID, Channel: "phone", Address: "01012345678", CodeHash: "code", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			return func(tx *store.DB) error {
				return tx.Contacts().CreateVerification(ctx, v, message("verify.sms"), entry(u.ID))
			}
		}},
		{"MarkVerified", func(t *testing.T, db *store.DB, u *models.User) func(tx *store.DB) error {
			v := &models.ContactVerification{ID: id(), UserID: u.ID, Channel: "phone", Address: "01012345678", CodeHash: "code", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			failOn(t, db.InTx(ctx, func(tx *store.DB) error {
				return tx.Contacts().CreateVerification(ctx, v, message("verify.sms"), entry(u.ID))
			}))
			return func(tx *store.DB) error {
				return tx.Contacts().MarkVerified(ctx, v.ID, u.ID, "phone", now, entry(u.ID))
			}
		}},
	}
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u := newUser(fmt.Sprintf("needtx-%d@example.com", i))
				failOn(t, db.CreateUser(ctx, u))
				write := tc.prepare(t, db, u)
				before := accountRows(t, db)
				if err := write(db); !errors.Is(err, store.ErrNoTx) {
					t.Fatalf("outside InTx: got %v, want store.ErrNoTx", err)
				}
				if after := accountRows(t, db); after != before {
					t.Fatalf("outside InTx: rows changed\nbefore: %s\nafter:  %s", before, after)
				}
				if err := db.InTx(ctx, write); err != nil {
					t.Fatalf("inside InTx: got %v, want nil", err)
				}
				if accountRows(t, db) == before {
					t.Fatal("inside InTx: no row changed, want the write")
				}
			})
		}
	})
}

// failOn fails the test on err.
func failOn(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storedProvider stores a provider for API keys to belong to and returns its id.
func storedProvider(t *testing.T, db *store.DB) string {
	t.Helper()
	id := uuid.NewString()
	p := &models.Provider{ID: id, Name: "카카오 " + id, Kind: "value_added", CreatedAt: testNow}
	failOn(t, db.Outages().CreateProvider(context.Background(), p))
	return p.ID
}

// accountRows is every row of accountTables, in a stable order, as text.
func accountRows(t *testing.T, db *store.DB) string {
	t.Helper()
	sqlDB, err := db.SQL()
	failOn(t, err)
	var b strings.Builder
	for _, table := range accountTables {
		fmt.Fprintf(&b, "%s:", table)
		rows, err := sqlDB.Query("SELECT * FROM " + table + " ORDER BY 1")
		failOn(t, err)
		writeRows(t, &b, rows)
	}
	return b.String()
}

// writeRows writes each row's values to b and closes rows.
func writeRows(t *testing.T, b *strings.Builder, rows *sql.Rows) {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	failOn(t, err)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		failOn(t, rows.Scan(ptrs...))
		for _, v := range vals {
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprintf(b, " %v", v)
		}
		b.WriteString(";")
	}
	failOn(t, rows.Err())
}
