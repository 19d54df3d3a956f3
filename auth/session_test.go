package auth_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// clock is a settable time for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const password = "correct horse battery"

// newService is the auth service over db with a clock and the default
// throttle, and a claimant kim@example.com registered in it.
func newService(t *testing.T, db *store.DB) (*auth.Service, *clock) {
	t.Helper()
	return newServiceWith(t, db, auth.DefaultThrottle)
}

func newServiceWith(t *testing.T, db *store.DB, throttle auth.Throttle) (*auth.Service, *clock) {
	t.Helper()
	svc, clk := serviceWithKey(t, db.Accounts(), newKey(), throttle)
	register(t, svc)
	return svc, clk
}

func newKey() []byte {
	key := make([]byte, 32)
	rand.Read(key)
	return key
}

// serviceWithKey is the auth service over st with a clock, signing and
// sealing with key.
func serviceWithKey(t *testing.T, st auth.Store, key []byte, throttle auth.Throttle) (*auth.Service, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)}
	sealer, err := pii.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(st, auth.NewSigner(key, 15*time.Minute, clk.now), sealer, 24*time.Hour, throttle, clk.now,
		func() string { return uuid.Must(uuid.NewV7()).String() })
	return svc, clk
}

// register signs up the claimant kim@example.com.
func register(t *testing.T, svc *auth.Service) {
	t.Helper()
	if _, err := svc.Register(context.Background(), auth.NewUser{Email: "kim@example.com", Password: password, Name: "김", Phone: "010-1234-5678"}, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
}

func login(t *testing.T, svc *auth.Service) *auth.Pair {
	t.Helper()
	r, err := svc.Login(context.Background(), "kim@example.com", password, "198.51.100.1")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if r.Pair == nil {
		t.Fatal("a claimant's login gave no token pair")
	}
	return r.Pair
}

func wantUnauthenticated(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Fatalf("%s: got %v, want ErrUnauthenticated", what, err)
	}
}

// TestRefreshReuseRevokesAccessTokens pins issue 11 defect 7: once a spent
// refresh token comes back after the grace window, the access tokens of its
// family stop working at once, not when they expire 15 minutes later.
func TestRefreshReuseRevokesAccessTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk := newService(t, db)
		first := login(t, svc)
		clk.advance(time.Minute)
		second, err := svc.Refresh(ctx, first.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, second.AccessToken); err != nil {
			t.Fatalf("fresh access token: %v", err)
		}
		clk.advance(auth.RefreshGrace + time.Second)
		_, err = svc.Refresh(ctx, first.RefreshToken)
		wantUnauthenticated(t, "the spent token after the grace window", err)
		_, err = svc.Authenticate(ctx, second.AccessToken)
		wantUnauthenticated(t, "the family's access token after reuse", err)
		_, err = svc.Refresh(ctx, second.RefreshToken)
		wantUnauthenticated(t, "the family's newest refresh token after reuse", err)
		// A new login is a new family and works.
		again := login(t, svc)
		if _, err := svc.Authenticate(ctx, again.AccessToken); err != nil {
			t.Fatalf("a new login after the revocation: %v", err)
		}
		// The dead family presented again revokes nothing more.
		_, err = svc.Refresh(ctx, second.RefreshToken)
		wantUnauthenticated(t, "a revoked token", err)
		if _, err := svc.Authenticate(ctx, again.AccessToken); err != nil {
			t.Fatalf("a revoked token presented again logged out the new session: %v", err)
		}
	})
}

// TestRefreshGraceWindow pins the boundaries of auth.RefreshGrace: within it
// a spent token gets its successor again; past it, or once the successor
// has moved on, it is reuse; a token revoked by logout gets no grace.
func TestRefreshGraceWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk := newService(t, db)

		t.Run("again at once gets the same successor", func(t *testing.T) {
			p := login(t, svc)
			a, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			b, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil {
				t.Fatalf("the same token presented again at once: %v", err)
			}
			if a.RefreshToken != b.RefreshToken {
				t.Fatal("the repeat got another refresh token than the first: the family forked")
			}
			for _, access := range []string{a.AccessToken, b.AccessToken} {
				if _, err := svc.Authenticate(ctx, access); err != nil {
					t.Fatalf("access token: %v", err)
				}
			}
		})
		t.Run("again exactly at the end of the grace", func(t *testing.T) {
			p := login(t, svc)
			a, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			clk.advance(auth.RefreshGrace)
			b, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil || b.RefreshToken != a.RefreshToken {
				t.Fatalf("at the end of the grace: got %v, want the same successor", err)
			}
			if _, err := svc.Refresh(ctx, a.RefreshToken); err != nil {
				t.Fatalf("the successor after a repeat in the grace: %v", err)
			}
		})
		t.Run("one second past the grace is reuse", func(t *testing.T) {
			p := login(t, svc)
			a, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			clk.advance(auth.RefreshGrace + time.Second)
			_, err = svc.Refresh(ctx, p.RefreshToken)
			wantUnauthenticated(t, "past the grace", err)
			_, err = svc.Refresh(ctx, a.RefreshToken)
			wantUnauthenticated(t, "the successor after reuse", err)
		})
		t.Run("successor already spent is reuse", func(t *testing.T) {
			p := login(t, svc)
			a, err := svc.Refresh(ctx, p.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.Refresh(ctx, a.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Refresh(ctx, p.RefreshToken)
			wantUnauthenticated(t, "a token whose successor was spent", err)
			_, err = svc.Authenticate(ctx, c.AccessToken)
			wantUnauthenticated(t, "the family's access token", err)
		})
		t.Run("revoked by logout gets no grace", func(t *testing.T) {
			p := login(t, svc)
			u, err := svc.Authenticate(ctx, p.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Logout(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			_, err = svc.Refresh(ctx, p.RefreshToken)
			wantUnauthenticated(t, "a token revoked by logout", err)
		})
	})
}

// TestParallelRefreshKeepsSession pins issue 11 defect 7's last part: many
// requests at once with the same refresh token (a browser whose access
// cookie just expired) all get the same new session, and it works.
func TestParallelRefreshKeepsSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		p := login(t, svc)
		pairs := make([]*auth.Pair, 8)
		errs := make([]error, len(pairs))
		var wg sync.WaitGroup
		for i := range pairs {
			wg.Go(func() { pairs[i], errs[i] = svc.Refresh(ctx, p.RefreshToken) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("parallel refresh %d: %v", i, err)
			}
			if pairs[i].RefreshToken != pairs[0].RefreshToken {
				t.Fatalf("parallel refresh %d got another refresh token", i)
			}
			if _, err := svc.Authenticate(ctx, pairs[i].AccessToken); err != nil {
				t.Fatalf("access token of parallel refresh %d: %v", i, err)
			}
		}
		if _, err := svc.Refresh(ctx, pairs[0].RefreshToken); err != nil {
			t.Fatalf("the session after the parallel refreshes: %v", err)
		}
	})
}
