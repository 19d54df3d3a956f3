package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

const staffAddr = "198.51.100.7"

// staffFixture is the auth service with a reviewer, rev@example.com, who
// has not enrolled a second factor yet.
type staffFixture struct {
	t   *testing.T
	db  *store.DB
	svc *auth.Service
	clk *clock
	rev *models.User
}

func newStaffFixture(t *testing.T, db *store.DB) *staffFixture {
	t.Helper()
	svc, clk := newService(t, db)
	rev, err := svc.CreateUser(context.Background(), auth.NewUser{Email: "rev@example.com", Password: password, Name: "심사자", Role: "reviewer"})
	if err != nil {
		t.Fatal(err)
	}
	return &staffFixture{t: t, db: db, svc: svc, clk: clk, rev: rev}
}

// challenge logs the reviewer in with the password and returns the
// challenge, failing if a token pair came instead.
func (f *staffFixture) challenge() *auth.Challenge {
	f.t.Helper()
	return f.challengeOf("rev@example.com")
}

func (f *staffFixture) challengeOf(email string) *auth.Challenge {
	f.t.Helper()
	r, err := f.svc.Login(context.Background(), email, password, staffAddr)
	if err != nil {
		f.t.Fatalf("login %s: %v", email, err)
	}
	if r.Pair != nil || r.Challenge == nil {
		f.t.Fatalf("staff login %s: got pair %v challenge %v, want only a challenge", email, r.Pair != nil, r.Challenge != nil)
	}
	if !r.Challenge.MFARequired || r.Challenge.MFAToken == "" {
		f.t.Fatalf("challenge %+v: want mfa_required and a token", r.Challenge)
	}
	return r.Challenge
}

// code is secret's TOTP code at the fixture's clock, shifted by d.
func (f *staffFixture) code(secret string, d time.Duration) string {
	f.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, f.clk.now().Add(d), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// enrol takes the reviewer through the first login: the enrolment's code
// confirms the factor. It returns the secret and the recovery codes.
func (f *staffFixture) enrol() (string, []string) {
	f.t.Helper()
	c := f.challenge()
	if c.Enrolment == nil {
		f.t.Fatal("the first login of a staff member without a factor shows no enrolment")
	}
	res, err := f.svc.CompleteMFA(context.Background(), c.MFAToken, f.code(c.Enrolment.Secret, 0))
	if err != nil {
		f.t.Fatalf("confirm the enrolment: %v", err)
	}
	if len(res.RecoveryCodes) != auth.RecoveryCodeCount {
		f.t.Fatalf("confirming gave %d recovery codes, want %d", len(res.RecoveryCodes), auth.RecoveryCodeCount)
	}
	return c.Enrolment.Secret, res.RecoveryCodes
}

func (f *staffFixture) complete(token, code string) (*auth.MFAResult, error) {
	return f.svc.CompleteMFA(context.Background(), token, code)
}

// TestStaffLoginGivesNoTokensBeforeTheSecondFactor: a staff member's
// password alone yields a challenge and nothing that opens the API; the
// mfa_token is refused as an access or refresh token.
func TestStaffLoginGivesNoTokensBeforeTheSecondFactor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStaffFixture(t, db)
		for _, role := range []string{"operator", "reviewer", "supervisor", "admin"} {
			email := role + "-staff@example.com"
			if _, err := f.svc.CreateUser(ctx, auth.NewUser{Email: email, Password: password, Name: role, Role: role}); err != nil {
				t.Fatal(err)
			}
			c := f.challengeOf(email) // fails unless a challenge and no pair
			if c.Enrolment == nil || c.ExpiresIn != int(auth.MFATokenTTL.Seconds()) {
				t.Errorf("%s: challenge %+v, want an enrolment and expires_in %v", role, c, auth.MFATokenTTL)
			}
			_, err := f.svc.Authenticate(ctx, c.MFAToken)
			wantUnauthenticated(t, role+"'s mfa_token as an access token", err)
			_, err = f.svc.Refresh(ctx, c.MFAToken)
			wantUnauthenticated(t, role+"'s mfa_token as a refresh token", err)
		}
		// An access token is no mfa_token either.
		claimant := login(t, f.svc)
		_, err := f.svc.CompleteMFA(ctx, claimant.AccessToken, "123456")
		wantUnauthenticated(t, "an access token as an mfa_token", err)
	})
}

// TestClaimantLoginUnchanged: claimants get their token pair at once and
// no factor is made for them.
func TestClaimantLoginUnchanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		r, err := svc.Login(ctx, "kim@example.com", password, "198.51.100.1")
		if err != nil || r.Pair == nil || r.Challenge != nil {
			t.Fatalf("claimant login: got %+v, %v; want only a pair", r, err)
		}
		u, err := svc.Authenticate(ctx, r.Pair.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MFAFactor(ctx, u.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a claimant's factor: got %v, want none", err)
		}
	})
}

// TestMFAEnrolmentConfirmedByFirstCode: the factor is pending, its secret
// sealed, until the first good code; only then are recovery codes issued
// and later logins show no enrolment.
func TestMFAEnrolmentConfirmedByFirstCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStaffFixture(t, db)
		c := f.challenge()
		en := c.Enrolment
		if en == nil || len(en.Secret) != 32 || !strings.HasPrefix(en.URI, "otpauth://totp/Bosang:rev@example.com?") {
			t.Fatalf("enrolment %+v: want a base32 secret and its otpauth URI", en)
		}
		stored, err := db.MFAFactor(ctx, f.rev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ConfirmedAt != nil || strings.Contains(stored.SecretSealed, en.Secret) || stored.SecretKeyID == "" {
			t.Fatalf("stored factor %+v: want pending, the secret sealed", stored)
		}
		again, err := f.svc.Challenge(ctx, c.MFAToken)
		if err != nil || again.Enrolment == nil || *again.Enrolment != *en {
			t.Fatalf("the challenge described again: %+v, %v; want the same enrolment", again, err)
		}

		_, err = f.complete(c.MFAToken, "not a code")
		wantUnauthenticated(t, "a recovery-shaped code before enrolment", err)
		res, err := f.complete(c.MFAToken, f.code(en.Secret, 0))
		if err != nil {
			t.Fatalf("the first good code: %v", err)
		}
		if len(res.RecoveryCodes) != auth.RecoveryCodeCount || res.User.ID != f.rev.ID {
			t.Fatalf("confirmation: %d recovery codes for %s", len(res.RecoveryCodes), res.User.ID)
		}
		if u, err := f.svc.Authenticate(ctx, res.AccessToken); err != nil || u.ID != f.rev.ID {
			t.Fatalf("the access token after the factor: %v", err)
		}
		stored, _ = db.MFAFactor(ctx, f.rev.ID)
		if stored.ConfirmedAt == nil {
			t.Fatal("the factor is still pending after the first good code")
		}

		f.clk.advance(30 * time.Second)
		next := f.challenge()
		if next.Enrolment != nil {
			t.Fatal("a login after enrolment shows the secret again")
		}
		res, err = f.complete(next.MFAToken, f.code(en.Secret, 0))
		if err != nil || len(res.RecoveryCodes) != 0 {
			t.Fatalf("a later login: %v, %d recovery codes; want tokens and no codes", err, len(res.RecoveryCodes))
		}
	})
}

// TestMFAPendingSecretReplacedByNextLogin: a secret shown at a login that
// was not finished is worthless once the next login shows a new one.
func TestMFAPendingSecretReplacedByNextLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStaffFixture(t, db)
		first := f.challenge()
		second := f.challenge()
		if first.Enrolment.Secret == second.Enrolment.Secret {
			t.Fatal("two logins showed the same pending secret")
		}
		_, err := f.complete(second.MFAToken, f.code(first.Enrolment.Secret, 0))
		wantUnauthenticated(t, "a code of the replaced secret", err)
		if _, err := f.complete(first.MFAToken, f.code(second.Enrolment.Secret, 0)); err != nil {
			t.Fatalf("the current secret's code, with the earlier login's token: %v", err)
		}
	})
}

// TestTOTPCodeGoodOnce: a code is refused a second time, and so is a code
// of an earlier step once a later one was used, also when two requests
// race with the same code.
func TestTOTPCodeGoodOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStaffFixture(t, db)
		secret, _ := f.enrol() // the current step is used
		_, err := f.complete(f.challenge().MFAToken, f.code(secret, 0))
		wantUnauthenticated(t, "the enrolment's code again", err)

		f.clk.advance(30 * time.Second)
		c := f.challenge()
		code := f.code(secret, 0)
		if _, err := f.complete(c.MFAToken, code); err != nil {
			t.Fatalf("the next step's code: %v", err)
		}
		_, err = f.complete(c.MFAToken, code)
		wantUnauthenticated(t, "the same code again with the same token", err)
		_, err = f.complete(f.challenge().MFAToken, f.code(secret, -30*time.Second))
		wantUnauthenticated(t, "the previous step's code after the current one", err)

		// A good login clears the wrong codes counted so far, so the race
		// below stays under the throttle's free failures.
		f.clk.advance(30 * time.Second)
		if _, err := f.complete(f.challenge().MFAToken, f.code(secret, 0)); err != nil {
			t.Fatal(err)
		}
		f.clk.advance(30 * time.Second)
		code = f.code(secret, 0)
		tokens := []string{f.challenge().MFAToken, f.challenge().MFAToken, f.challenge().MFAToken, f.challenge().MFAToken}
		errs := make([]error, len(tokens))
		var wg sync.WaitGroup
		for i, tok := range tokens {
			wg.Go(func() { _, errs[i] = f.complete(tok, code) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, apperr.ErrUnauthenticated):
				t.Fatalf("a racing use of one code: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d racing logins with one code succeeded, want exactly 1", ok, len(tokens))
		}
	})
}

// TestWrongCodesThrottled: wrong codes are counted per staff member; past
// the free ones the member waits, even with the right code, and each
// further wrong code doubles the wait; a right code clears the count.
func TestWrongCodesThrottled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStaffFixture(t, db)
		secret, _ := f.enrol()
		f.clk.advance(30 * time.Second)
		tok := f.challenge().MFAToken
		wrong := wrongCode(f.code(secret, 0))
		for i := range auth.DefaultThrottle.PairFree {
			_, err := f.complete(tok, wrong)
			wantUnauthenticated(t, "wrong code "+string(rune('1'+i)), err)
		}
		wantWait := func(what string, err error, seconds int) {
			t.Helper()
			var rl *apperr.RateLimited
			if !errors.As(err, &rl) || rl.RetryAfterSeconds != seconds {
				t.Fatalf("%s: got %v, want to wait %d s", what, err, seconds)
			}
		}
		_, err := f.complete(tok, f.code(secret, 0))
		wantWait("the right code after 5 wrong ones", err, 30)

		f.clk.advance(30 * time.Second)
		_, err = f.complete(tok, wrongCode(f.code(secret, 0)))
		wantUnauthenticated(t, "a sixth wrong code once the wait is over", err)
		_, err = f.complete(tok, f.code(secret, 0))
		wantWait("the right code after 6 wrong ones", err, 60)

		f.clk.advance(60 * time.Second)
		if _, err := f.complete(tok, f.code(secret, 0)); err != nil {
			t.Fatalf("the right code after the wait: %v", err)
		}
		f.clk.advance(30 * time.Second)
		tok = f.challenge().MFAToken
		_, err = f.complete(tok, wrongCode(f.code(secret, 0)))
		wantUnauthenticated(t, "a wrong code after a good login", err)
		if _, err := f.complete(tok, f.code(secret, 0)); err != nil {
			t.Fatalf("a good login cleared the count, yet: %v", err)
		}
	})
}

// wrongCode is a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestRecoveryCodeGoodOnce: each recovery code logs in once, typed in any
// case or without dashes; a used one and an invented one are refused.
func TestRecoveryCodeGoodOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStaffFixture(t, db)
		_, codes := f.enrol()
		if _, err := f.complete(f.challenge().MFAToken, codes[0]); err != nil {
			t.Fatalf("a recovery code: %v", err)
		}
		_, err := f.complete(f.challenge().MFAToken, codes[0])
		wantUnauthenticated(t, "a used recovery code", err)
		typed := strings.ToUpper(strings.ReplaceAll(codes[1], "-", ""))
		if _, err := f.complete(f.challenge().MFAToken, typed); err != nil {
			t.Fatalf("a recovery code typed %q: %v", typed, err)
		}
		_, err = f.complete(f.challenge().MFAToken, "aaaa-bbbb-cccc-dddd")
		wantUnauthenticated(t, "an invented recovery code", err)
	})
}

// TestMFATokenBounds: an mfa_token works for five minutes, for its own
// user only, and not after the user's sessions were ended.
func TestMFATokenBounds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStaffFixture(t, db)
		secret, _ := f.enrol()
		if _, err := f.svc.CreateUser(ctx, auth.NewUser{Email: "sup@example.com", Password: password, Name: "감독자", Role: "supervisor"}); err != nil {
			t.Fatal(err)
		}

		t.Run("expired after five minutes", func(t *testing.T) {
			tok := f.challenge().MFAToken
			f.clk.advance(auth.MFATokenTTL + time.Second)
			_, err := f.complete(tok, f.code(secret, 0))
			wantUnauthenticated(t, "a code with an expired token", err)
		})
		t.Run("good just before", func(t *testing.T) {
			tok := f.challenge().MFAToken
			f.clk.advance(auth.MFATokenTTL - time.Second)
			if _, err := f.complete(tok, f.code(secret, 0)); err != nil {
				t.Fatalf("a code 1 s before the token expires: %v", err)
			}
		})
		t.Run("another user's token", func(t *testing.T) {
			f.clk.advance(30 * time.Second)
			res, err := f.complete(f.challengeOf("sup@example.com").MFAToken, f.code(secret, 0))
			if err == nil {
				t.Fatalf("the reviewer's code with the supervisor's token logged in %s", res.User.Email)
			}
			wantUnauthenticated(t, "the reviewer's code with another user's token", err)
			if _, err := f.complete(f.challenge().MFAToken, f.code(secret, 0)); err != nil {
				t.Fatalf("the same code with the reviewer's own token: %v", err)
			}
		})
		t.Run("after the sessions were ended", func(t *testing.T) {
			f.clk.advance(30 * time.Second)
			tok := f.challenge().MFAToken
			if err := f.svc.Logout(ctx, f.rev.ID); err != nil {
				t.Fatal(err)
			}
			_, err := f.complete(tok, f.code(secret, 0))
			wantUnauthenticated(t, "a token from before a logout", err)
		})
		t.Run("after the role changed", func(t *testing.T) {
			f.clk.advance(30 * time.Second)
			tok := f.challenge().MFAToken
			claimant := "claimant"
			if _, err := f.svc.UpdateUser(ctx, f.rev.ID, auth.UserChange{Role: &claimant}); err != nil {
				t.Fatal(err)
			}
			_, err := f.complete(tok, f.code(secret, 0))
			wantUnauthenticated(t, "a token of a staff member made claimant", err)
		})
	})
}

// TestResetMFA: an admin's reset for a lost phone ends the member's
// sessions, makes the next login enrol afresh, refuses the old codes and
// is audited.
func TestResetMFA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStaffFixture(t, db)
		secret, codes := f.enrol()
		f.clk.advance(30 * time.Second)
		pending := f.challenge().MFAToken
		c := f.challenge()
		res, err := f.complete(c.MFAToken, f.code(secret, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ResetMFA(ctx, "REV@example.com"); err != nil {
			t.Fatalf("reset: %v", err)
		}
		_, err = f.svc.Authenticate(ctx, res.AccessToken)
		wantUnauthenticated(t, "an access token from before the reset", err)
		_, err = f.svc.Refresh(ctx, res.RefreshToken)
		wantUnauthenticated(t, "a refresh token from before the reset", err)
		_, err = f.complete(pending, codes[0])
		wantUnauthenticated(t, "an mfa_token from before the reset", err)

		f.clk.advance(30 * time.Second)
		fresh := f.challenge()
		if fresh.Enrolment == nil || fresh.Enrolment.Secret == secret {
			t.Fatalf("the login after a reset: enrolment %+v, want a new secret", fresh.Enrolment)
		}
		_, err = f.complete(fresh.MFAToken, f.code(secret, 0))
		wantUnauthenticated(t, "the old secret's code after the reset", err)
		_, err = f.complete(fresh.MFAToken, codes[1])
		wantUnauthenticated(t, "an old recovery code after the reset", err)

		entries, err := db.Audit().AuditEntries(ctx, audit.Filter{Entity: audit.EntityUser, EntityID: f.rev.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		// Newest first: the reset, then the account's creation.
		if len(entries) != 2 || entries[0].Action != "user.reset_mfa" || entries[0].SubjectID == nil || *entries[0].SubjectID != f.rev.ID ||
			entries[1].Action != "user.create" {
			t.Fatalf("audit entries about the reviewer: %+v, want user.reset_mfa after user.create", entries)
		}
		if _, err := f.svc.ResetMFA(ctx, "nobody@example.com"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("reset of an unknown e-mail: got %v, want ErrNotFound", err)
		}
	})
}
