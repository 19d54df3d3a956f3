package auth_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// countingStore counts the user reads of the token checks.
type countingStore struct {
	store.AccountStore
	reads atomic.Int64
}

func (s *countingStore) UserByID(ctx context.Context, id string) (*models.User, error) {
	s.reads.Add(1)
	return s.AccountStore.UserByID(ctx, id)
}

// cachedService is the auth service signing with key, with the user cache
// on, over a store that counts user reads.
func cachedService(t *testing.T, db *store.DB, key []byte, maxAge time.Duration) (*auth.Service, *countingStore, *clock) {
	t.Helper()
	cs := &countingStore{AccountStore: db.Accounts()}
	svc, clk := serviceWithKey(t, cs, key, auth.DefaultThrottle)
	svc.CacheUsers(db, maxAge)
	return svc, cs, clk
}

// TestCachedTokenCheckRevocations: with the cache on, checking a token
// again reads no user, and each way of ending sessions (logout, role
// change, disabling, MFA reset) refuses the old token at
// once, on both dialects: the store tells the cache in the same call.
func TestCachedTokenCheckRevocations(t *testing.T) {
	admin := audit.WithActor(context.Background(), audit.Actor{ID: uuid.NewString(), Role: "admin"})
	disable := true
	role := "reviewer"
	for name, revoke := range map[string]func(svc *auth.Service, id string) error{
		"logout": func(svc *auth.Service, id string) error { return svc.Logout(admin, id) },
		"disabled": func(svc *auth.Service, id string) error {
			_, err := svc.UpdateUser(admin, id, auth.UserChange{Disabled: &disable})
			return err
		},
		"role change by admin": func(svc *auth.Service, id string) error {
			_, err := svc.UpdateUser(admin, id, auth.UserChange{Role: &role})
			return err
		},
		"mfa reset": func(svc *auth.Service, id string) error { _, err := svc.ResetMFAByID(admin, id); return err },
	} {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				svc, cs, _ := cachedService(t, db, newKey(), time.Hour)
				register(t, svc)
				p := login(t, svc)
				u, err := svc.Authenticate(ctx, p.AccessToken)
				if err != nil {
					t.Fatal(err)
				}
				before := cs.reads.Load()
				for range 3 {
					if _, err := svc.Authenticate(ctx, p.AccessToken); err != nil {
						t.Fatal(err)
					}
				}
				if n := cs.reads.Load() - before; n != 0 {
					t.Errorf("3 more checks of a cached token read the user %d times, want 0", n)
				}
				if err := revoke(svc, u.ID); err != nil {
					t.Fatal(err)
				}
				_, err = svc.Authenticate(ctx, p.AccessToken)
				wantUnauthenticated(t, "the token after "+name, err)
			})
		})
	}
}

// TestCachedUserExpires: a change the cache was never told of (made behind
// the store's back) shows once the entry's age reaches the bound on the
// injected clock, and not before.
func TestCachedUserExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _, clk := cachedService(t, db, newKey(), auth.UserCacheMaxAge)
		register(t, svc)
		p := login(t, svc)
		u, err := svc.Authenticate(ctx, p.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.ExecContext(ctx, "UPDATE users SET token_version = token_version + 1 WHERE id = $1", u.ID); err != nil {
			t.Fatal(err)
		}
		clk.advance(auth.UserCacheMaxAge - time.Second)
		if _, err := svc.Authenticate(ctx, p.AccessToken); err != nil {
			t.Fatalf("within the bound the cached user stands: %v", err)
		}
		clk.advance(time.Second)
		_, err = svc.Authenticate(ctx, p.AccessToken)
		wantUnauthenticated(t, "the token once the bound passed", err)
	})
}

// TestUserChangesAcrossInstances: two processes' services on one
// PostgreSQL database, each with its cache and listener. Logging out on A
// makes B refuse the token without B's clock moving: B hears of it within
// the documented bound, which is this test's deadline.
func TestUserChangesAcrossInstances(t *testing.T) {
	dsn, drop := dbtest.CreatePostgresDB(t)
	defer drop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var svcs [2]*auth.Service
	var listening [2]chan struct{}
	key := newKey()
	for i := range svcs {
		db, err := store.Open(ctx, dsn, store.WithClock(time.Now))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if i == 0 {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		svcs[i], _, _ = cachedService(t, db, key, time.Hour)
		listening[i] = make(chan struct{}, 1)
		svc, ch := svcs[i], listening[i]
		go db.ListenUserChanges(ctx, dsn, 10*time.Millisecond, svc.Forget, func() {
			svc.ForgetAll()
			select {
			case ch <- struct{}{}:
			default:
			}
		})
	}
	for _, ch := range listening {
		<-ch
	}
	a, b := svcs[0], svcs[1]
	register(t, a)
	p := login(t, a)
	u, err := b.Authenticate(ctx, p.AccessToken)
	if err != nil {
		t.Fatalf("B checks A's token: %v", err)
	}
	if err := a.Logout(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(auth.UserCacheMaxAge)
	for {
		_, err := b.Authenticate(ctx, p.AccessToken)
		if err != nil {
			wantUnauthenticated(t, "B after the logout on A", err)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("B still took the token %s after the logout on A", auth.UserCacheMaxAge)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCachedTokenExpires: a token verified once and cached is refused once
// it expires, to the second, like one never seen.
func TestCachedTokenExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _, clk := cachedService(t, db, newKey(), time.Hour)
		register(t, svc)
		p := login(t, svc)
		if _, err := svc.Authenticate(ctx, p.AccessToken); err != nil {
			t.Fatal(err)
		}
		clk.advance(15*time.Minute - time.Second)
		if _, err := svc.Authenticate(ctx, p.AccessToken); err != nil {
			t.Fatalf("a second before it expires: %v", err)
		}
		clk.advance(time.Second)
		_, err := svc.Authenticate(ctx, p.AccessToken)
		wantUnauthenticated(t, "the cached token at its expiry", err)
	})
}
