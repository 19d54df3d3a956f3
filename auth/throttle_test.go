package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

func TestPairWait(t *testing.T) {
	th := auth.DefaultThrottle
	cases := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"first failure is free", 1, 0},
		{"one below the free failures", th.PairFree - 1, 0},
		{"the last free failure starts the delay", th.PairFree, 30 * time.Second},
		{"the next one doubles it", th.PairFree + 1, time.Minute},
		{"and again", th.PairFree + 2, 2 * time.Minute},
		{"8 min is under the cap", th.PairFree + 4, 8 * time.Minute},
		{"16 min is capped at 15", th.PairFree + 5, 15 * time.Minute},
		{"a thousand failures stay at the cap", 1000, 15 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := th.PairWait(tc.failures); got != tc.want {
				t.Fatalf("PairWait(%d): got %v, want %v", tc.failures, got, tc.want)
			}
		})
	}
	if th.MaxAccount < 100 {
		t.Errorf("the per-account limit from all addresses is %d; keep it high (100 an hour) so nobody can lock an account out", th.MaxAccount)
	}
}

// retryAfter is the Retry-After of a *apperr.RateLimited, or -1.
func retryAfter(err error) int {
	var rl *apperr.RateLimited
	if errors.As(err, &rl) {
		return rl.RetryAfterSeconds
	}
	return -1
}

// TestGuessingDoesNotLockOutTheOwner pins issue 11 defect 8: wrong passwords
// from one address slow that address down, ever more, up to a cap; the
// owner logging in from elsewhere is not affected.
func TestGuessingDoesNotLockOutTheOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk := newService(t, db)
		const attacker, owner = "203.0.113.9", "198.51.100.1"
		guess := func() error {
			_, err := svc.Login(ctx, "kim@example.com", "not the password", attacker)
			return err
		}
		for i := 1; i <= auth.DefaultThrottle.PairFree; i++ {
			if err := guess(); !errors.Is(err, apperr.ErrUnauthenticated) {
				t.Fatalf("guess %d: got %v, want ErrUnauthenticated", i, err)
			}
		}
		_, err := svc.Login(ctx, "kim@example.com", password, attacker)
		if got := retryAfter(err); got != 30 {
			t.Fatalf("the guessing address, right password: got %v (retry after %d), want 429 for 30 s", err, got)
		}
		if _, err := svc.Login(ctx, "kim@example.com", password, owner); err != nil {
			t.Fatalf("the owner from another address: got %v, want a session", err)
		}
		// Each further failure doubles the wait, up to 15 minutes.
		for _, want := range []int{60, 120, 240, 480, 900, 900} {
			clk.advance(auth.DefaultThrottle.PairMaxDelay)
			if err := guess(); !errors.Is(err, apperr.ErrUnauthenticated) {
				t.Fatalf("guess after waiting: got %v, want ErrUnauthenticated", err)
			}
			if got := retryAfter(guess()); got != want {
				t.Fatalf("wait after the next failure: got %d s, want %d s", got, want)
			}
		}
		if _, err := svc.Login(ctx, "kim@example.com", password, owner); err != nil {
			t.Fatalf("the owner after the guessing: got %v, want a session", err)
		}
	})
}

// TestAccountLimitFromAllAddresses: the per-account limit still stops a
// guesser spread over many addresses.
func TestAccountLimitFromAllAddresses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := auth.DefaultThrottle
		th.MaxAccount = 3
		svc, clk := newServiceWith(t, db, th)
		for i := range th.MaxAccount {
			if _, err := svc.Login(ctx, "kim@example.com", "not the password", fmt.Sprintf("203.0.113.%d", i)); !errors.Is(err, apperr.ErrUnauthenticated) {
				t.Fatalf("guess %d: got %v, want ErrUnauthenticated", i, err)
			}
		}
		_, err := svc.Login(ctx, "kim@example.com", password, "198.51.100.1")
		if got := retryAfter(err); got != int(th.AccountBlock.Seconds()) {
			t.Fatalf("after %d failures from as many addresses: got %v, want 429 for %v", th.MaxAccount, err, th.AccountBlock)
		}
		clk.advance(th.AccountBlock)
		if _, err := svc.Login(ctx, "kim@example.com", password, "198.51.100.1"); err != nil {
			t.Fatalf("after the block: got %v, want a session", err)
		}
	})
}

// TestSignupExistingAddressAnswersAlike pins the other half of defect 8:
// signing up with a registered address succeeds in appearance, changes
// nothing, and tells the owner, once a day at most.
func TestSignupExistingAddressAnswersAlike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk := newService(t, db)
		owner, err := db.UserByEmail(ctx, "kim@example.com")
		if err != nil {
			t.Fatal(err)
		}
		in := auth.NewUser{Email: "KIM@example.com", Password: "another long passphrase", Name: "침입자", Phone: "010-9999-9999"}
		u, err := svc.Register(ctx, in, "203.0.113.9")
		if err != nil {
			t.Fatalf("sign-up with a registered address: got %v, want the same success as a new one", err)
		}
		if u.ID == owner.ID || u.Email != "kim@example.com" || u.Role.String() != "claimant" {
			t.Fatalf("returned user %+v: want a fresh id, the address as given (normalized), claimant", u)
		}
		if _, err := db.UserByID(ctx, u.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("the returned user is stored: %v", err)
		}
		if _, err := svc.Login(ctx, "kim@example.com", "another long passphrase", "203.0.113.9"); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("the new password works: got %v", err)
		}
		if _, err := svc.Register(ctx, in, "203.0.113.9"); err != nil { // again the same day
			t.Fatal(err)
		}
		clk.advance(24 * time.Hour)
		if _, err := svc.Register(ctx, in, "203.0.113.9"); err != nil { // the next day
			t.Fatal(err)
		}
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := sqlDB.QueryContext(ctx, "SELECT payload FROM outbox WHERE topic = '"+auth.TopicSignupExisting+"'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var told int
		for rows.Next() {
			var payload string
			if err := rows.Scan(&payload); err != nil {
				t.Fatal(err)
			}
			var p auth.SignupExisting
			if err := json.Unmarshal([]byte(payload), &p); err != nil || p.UserID != owner.ID {
				t.Fatalf("payload %s: want the owner's id", payload)
			}
			told++
		}
		if told != 2 {
			t.Fatalf("messages to the owner: got %d, want 2 (one a day)", told)
		}
	})
}

// TestSignupLimitedPerAddress: sign-ups from one address are limited; other
// addresses are not; the limit lifts after its window; invalid attempts
// are not counted.
func TestSignupLimitedPerAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := auth.DefaultThrottle
		th.MaxSignups = 3
		svc, clk := newServiceWith(t, db, th)
		n := 0
		signup := func(addr string) error {
			n++
			_, err := svc.Register(ctx, auth.NewUser{Email: fmt.Sprintf("u%d@example.com", n), Password: password, Name: "김", Phone: "010-1234-5678"}, addr)
			return err
		}
		if _, err := svc.Register(ctx, auth.NewUser{Email: "bad"}, "203.0.113.9"); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("invalid sign-up: got %v", err)
		}
		for i := range th.MaxSignups {
			if err := signup("203.0.113.9"); err != nil {
				t.Fatalf("sign-up %d: %v", i+1, err)
			}
		}
		if got := retryAfter(signup("203.0.113.9")); got != int(th.SignupWindow.Seconds()) {
			t.Fatalf("sign-up %d from one address: got retry after %d, want 429 for %v", th.MaxSignups+1, got, th.SignupWindow)
		}
		if err := signup("198.51.100.7"); err != nil {
			t.Fatalf("another address: %v", err)
		}
		clk.advance(th.SignupWindow)
		if err := signup("203.0.113.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}
