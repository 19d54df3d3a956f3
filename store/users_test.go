package store_test

import (
	"context"
	"errors"
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
	now := time.Now().UTC().Truncate(time.Microsecond)
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

func TestRefreshTokenConsumedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("r@example.com")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		rt := &models.RefreshToken{ID: uuid.NewString(), UserID: u.ID, FamilyID: uuid.NewString(), TokenHash: "h1", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := db.CreateRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]error, 8)
		for i := range results {
			wg.Go(func() { _, results[i] = db.ConsumeRefreshToken(ctx, "h1", now) })
		}
		wg.Wait()
		ok, reused := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, auth.ErrTokenReused):
				reused++
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 || reused != 7 {
			t.Fatalf("concurrent consume: got %d ok and %d reused, want 1 and 7", ok, reused)
		}
		if _, err := db.ConsumeRefreshToken(ctx, "unknown", now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown hash: got %v, want ErrNotFound", err)
		}
	})
}

func TestLoginFailuresCountedAtomically(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
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
