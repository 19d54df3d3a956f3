package store_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/migrations"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestMFAFactorStore pins the conditional writes the second factor relies
// on: a confirmed factor is never replaced by a pending one, only the
// pending secret that was checked is confirmed, a TOTP step and a
// recovery code are each spent once, and a reset removes everything and
// ends the sessions in one transaction with its audit entry.
func TestMFAFactorStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("mfa@example.com")
		u.Role = models.RoleReviewer
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		pending := func(sealed string) *models.MFAFactor {
			return &models.MFAFactor{UserID: u.ID, SecretSealed: sealed, SecretKeyID: "k1", CreatedAt: now, UpdatedAt: now}
		}
		if _, err := db.MFAFactor(ctx, u.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("no factor yet: got %v, want ErrNotFound", err)
		}
		if err := db.SavePendingMFA(ctx, pending("sealed-1")); err != nil {
			t.Fatal(err)
		}
		if err := db.SavePendingMFA(ctx, pending("sealed-2")); err != nil {
			t.Fatalf("replace a pending factor: %v", err)
		}
		if f, _ := db.MFAFactor(ctx, u.ID); f.SecretSealed != "sealed-2" || f.ConfirmedAt != nil {
			t.Fatalf("pending factor: %+v, want sealed-2 unconfirmed", f)
		}

		confirm := func(sealed string, step int64, codes []models.MFARecoveryCode) error {
			return db.InTx(ctx, func(tx *store.DB) error { return tx.ConfirmMFA(ctx, u.ID, sealed, step, now, codes) })
		}
		codes := func(hashes ...string) []models.MFARecoveryCode {
			var rows []models.MFARecoveryCode
			for _, h := range hashes {
				rows = append(rows, models.MFARecoveryCode{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, CodeHash: strings.Repeat(h, 64), CreatedAt: now})
			}
			return rows
		}
		if err := confirm("sealed-1", 100, codes("a")); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("confirm the replaced secret: got %v, want ErrConflict", err)
		}
		if err := confirm("sealed-2", 100, codes("a", "b")); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		if err := confirm("sealed-2", 101, codes("c")); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("confirm twice: got %v, want ErrConflict", err)
		}
		if err := db.SavePendingMFA(ctx, pending("sealed-3")); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("a pending factor over a confirmed one: got %v, want ErrConflict", err)
		}
		if f, _ := db.MFAFactor(ctx, u.ID); f.SecretSealed != "sealed-2" || f.ConfirmedAt == nil || f.LastStep != 100 {
			t.Fatalf("confirmed factor: %+v, want sealed-2 confirmed at step 100", f)
		}

		for _, tc := range []struct {
			name string
			step int64
			ok   bool
		}{
			{"the confirming step again", 100, false},
			{"an earlier step", 99, false},
			{"the next step", 101, true},
			{"the next step again", 101, false},
			{"a step skipped ahead", 105, true},
		} {
			err := db.UseTOTPStep(ctx, u.ID, tc.step, now)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, apperr.ErrConflict)) {
				t.Errorf("%s (step %d): got %v, want ok=%v", tc.name, tc.step, err, tc.ok)
			}
		}

		hashA := strings.Repeat("a", 64)
		if err := db.UseRecoveryCode(ctx, u.ID, hashA, now); err != nil {
			t.Fatalf("a recovery code: %v", err)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, hashA, now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a recovery code again: got %v, want ErrNotFound", err)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, strings.Repeat("c", 64), now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a code never issued: got %v, want ErrNotFound", err)
		}

		rt := &models.RefreshToken{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, FamilyID: uuid.Must(uuid.NewV7()).String(),
			TokenHash: "rt-hash", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := db.CreateRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		entry := &models.AuditEntry{ID: uuid.Must(uuid.NewV7()).String(), At: now, ActorRole: "system", Action: "user.reset_mfa",
			Entity: "user", EntityID: u.ID, SubjectID: &u.ID, Details: "{}"}
		reset := func(tx *store.DB) error { return tx.ResetMFA(ctx, u.ID, now, entry) }
		if err := db.InTx(ctx, reset); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := db.MFAFactor(ctx, u.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("factor after reset: got %v, want ErrNotFound", err)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, strings.Repeat("b", 64), now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("an unused recovery code after reset: got %v, want ErrNotFound", err)
		}
		if got, _ := db.RefreshTokenByHash(ctx, "rt-hash"); got.RevokedAt == nil {
			t.Fatal("the refresh token survived the reset")
		}
		if got, _ := db.UserByID(ctx, u.ID); got.TokenVersion != u.TokenVersion+1 {
			t.Fatalf("token version after reset: %d, want %d", got.TokenVersion, u.TokenVersion+1)
		}
		if err := db.SavePendingMFA(ctx, pending("sealed-4")); err != nil {
			t.Fatalf("enrol again after reset: %v", err)
		}
	})
}

// TestMigration13EndsStaffSessions: sessions staff opened before the
// second factor existed do not survive migration 13 (their refresh tokens
// are revoked and their access tokens' version moves on); claimants'
// sessions are left alone.
func TestMigration13EndsStaffSessions(t *testing.T) {
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn, gd := filepath.Join(t.TempDir(), "old.db"), goose.DialectSQLite3
			if dialect == "postgres" {
				var drop func()
				dsn, drop = dbtest.CreatePostgresDB(t)
				t.Cleanup(drop)
				gd = goose.DialectPostgres
			}
			db, err := store.Open(ctx, dsn, store.WithClock(fixedClock))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			sqlDB, _ := db.SQL()
			dir, _ := fs.Sub(migrations.FS, dialect)
			p, err := goose.NewProvider(gd, sqlDB, dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 12); err != nil {
				t.Fatalf("migrate to 12: %v", err)
			}
			staff, claimant := newUser("staff@example.com"), newUser("claimant@example.com")
			staff.Role = models.RoleSupervisor
			now := testNow
			for i, u := range []*models.User{staff, claimant} {
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				rt := &models.RefreshToken{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, FamilyID: uuid.Must(uuid.NewV7()).String(),
					TokenHash: "hash-" + string(rune('a'+i)), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
				if err := db.CreateRefreshToken(ctx, rt); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate to the latest: %v", err)
			}
			if rt, err := db.RefreshTokenByHash(ctx, "hash-a"); err != nil || rt.RevokedAt == nil {
				t.Fatalf("the supervisor's refresh token after migration 13: %+v, %v; want revoked", rt, err)
			}
			if rt, err := db.RefreshTokenByHash(ctx, "hash-b"); err != nil || rt.RevokedAt != nil {
				t.Fatalf("the claimant's refresh token after migration 13: %+v, %v; want live", rt, err)
			}
			if u, _ := db.UserByID(ctx, staff.ID); u.TokenVersion != 1 {
				t.Errorf("the supervisor's token version: %d, want 1", u.TokenVersion)
			}
			if u, _ := db.UserByID(ctx, claimant.ID); u.TokenVersion != 0 {
				t.Errorf("the claimant's token version: %d, want 0", u.TokenVersion)
			}
		})
	}
}
