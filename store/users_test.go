package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

func newUser(email string) *models.User {
	now := testNow
	return &models.User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, PasswordHash: "x", Name: "김철수", Role: models.RoleClaimant, CreatedAt: now, UpdatedAt: now}
}

func TestUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("a@example.com")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := db.CreateUser(ctx, newUser("A@example.com")); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("duplicate e-mail differing in case: got %v, want ErrConflict", err)
		}
		got, err := db.UserByEmail(ctx, "A@EXAMPLE.com")
		if err != nil || got.ID != u.ID || got.Role != models.RoleClaimant {
			t.Fatalf("by e-mail: got %+v, %v", got, err)
		}
		if _, err := db.UserByID(ctx, "not-a-uuid"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("malformed id: got %v, want ErrNotFound", err)
		}
		if _, err := db.UserByID(ctx, uuid.NewString()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown id: got %v, want ErrNotFound", err)
		}
		if err := db.UpdateUserSecurity(ctx, u.ID, models.RoleReviewer, "y"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.UserByID(ctx, u.ID)
		if got.Role != models.RoleReviewer || got.TokenVersion != 1 || got.PasswordHash != "y" {
			t.Fatalf("after update: got role %s version %d, want reviewer 1", got.Role, got.TokenVersion)
		}
	})
}

func TestRefreshTokenRotatedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("r@example.com")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		now := testNow
		family := uuid.NewString()
		rt := &models.RefreshToken{ID: uuid.NewString(), UserID: u.ID, FamilyID: family, TokenHash: "h1", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := db.CreateRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		rotate := func(hash string, next *models.RefreshToken) error {
			return db.InTx(ctx, func(tx *store.DB) error { _, err := tx.RotateRefreshToken(ctx, hash, next, now); return err })
		}
		var wg sync.WaitGroup
		results := make([]error, 8)
		for i := range results {
			next := &models.RefreshToken{ID: uuid.NewString(), TokenHash: fmt.Sprintf("next-%d", i), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			wg.Go(func() { results[i] = rotate("h1", next) })
		}
		wg.Wait()
		ok, reused, winner := 0, 0, -1
		for i, err := range results {
			switch {
			case err == nil:
				ok, winner = ok+1, i
			case errors.Is(err, auth.ErrTokenReused):
				reused++
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 || reused != 7 {
			t.Fatalf("concurrent rotation: got %d ok and %d reused, want 1 and 7", ok, reused)
		}
		// Only the winner's successor is stored, in the spent token's family.
		for i := range results {
			got, err := db.RefreshTokenByHash(ctx, fmt.Sprintf("next-%d", i))
			switch {
			case i == winner && (err != nil || got.FamilyID != family || got.UserID != u.ID):
				t.Fatalf("the winner's successor: got %+v, %v; want it stored in family %s", got, err, family)
			case i != winner && !errors.Is(err, apperr.ErrNotFound):
				t.Fatalf("a loser's successor: got %v, want ErrNotFound", err)
			}
		}
		next := &models.RefreshToken{ID: uuid.NewString(), TokenHash: "never", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := rotate("unknown", next); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown hash: got %v, want ErrNotFound", err)
		}
		// Revoking the family bumps the user's token version with it.
		revoke := func(tx *store.DB) error { return tx.RevokeFamily(ctx, u.ID, family, now) }
		if err := db.InTx(ctx, revoke); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.TokenVersion != 1 {
			t.Fatalf("token version after revoking the family: got %d, want 1", got.TokenVersion)
		}
		if got, _ := db.RefreshTokenByHash(ctx, fmt.Sprintf("next-%d", winner)); got.RevokedAt == nil {
			t.Fatal("the family's live token is not revoked")
		}
	})
}

func TestLoginFailuresCountedAtomically(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := testNow
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := db.RecordLoginFailure(ctx, "k", now, time.Minute); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		n, err := db.RecordLoginFailure(ctx, "k", now, time.Minute)
		if err != nil || n != 11 {
			t.Fatalf("after 11 failures: got %d, %v; want 11", n, err)
		}
		n, _ = db.RecordLoginFailure(ctx, "k", now.Add(2*time.Minute), time.Minute)
		if n != 1 {
			t.Fatalf("after the window: got %d, want the count to restart at 1", n)
		}
		if until, err := db.LoginBlockedUntil(ctx, "none"); err != nil || !until.IsZero() {
			t.Fatalf("unknown key: got %v, %v; want zero time", until, err)
		}
	})
}
