package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
)

// TestUserResetMFA: `bosang user reset-mfa` removes an enrolled staff
// member's factor (their next login enrols again), ends their sessions and
// leaves an audit entry; an unknown address and a missing flag are errors.
func TestUserResetMFA(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		const email, pw = "lost-phone@example.kr", "Irreun-pyeon-2022"
		if err := run(ctx, []string{"user", "create", "--email", email, "--password", pw, "--name", "심사자 분실", "--role", "reviewer"}, getenv, io.Discard); err != nil {
			t.Fatalf("user create: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		r, err := a.auth.Login(ctx, email, pw, "127.0.0.1")
		if err != nil || r.Challenge == nil || r.Challenge.Enrolment == nil {
			t.Fatalf("first login: %+v, %v; want a challenge with an enrolment", r, err)
		}
		code, err := totp.GenerateCodeCustom(r.Challenge.Enrolment.Secret, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		done, err := a.auth.CompleteMFA(ctx, r.Challenge.MFAToken, code)
		if err != nil {
			t.Fatalf("enrol: %v", err)
		}

		var out bytes.Buffer
		if err := run(ctx, []string{"user", "reset-mfa", "--email", email}, getenv, &out); err != nil {
			t.Fatalf("user reset-mfa: %v", err)
		}
		if !strings.Contains(out.String(), email) || !strings.Contains(out.String(), "removed") {
			t.Errorf("reset-mfa printed %q, want the address and what was done", out.String())
		}
		if _, err := a.auth.Authenticate(ctx, done.AccessToken); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("the access token from before the reset: got %v, want ErrUnauthenticated", err)
		}
		r, err = a.auth.Login(ctx, email, pw, "127.0.0.1")
		if err != nil || r.Challenge == nil || r.Challenge.Enrolment == nil {
			t.Fatalf("login after the reset: %+v, %v; want a new enrolment", r, err)
		}
		u, err := a.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := a.db.Audit().AuditEntries(ctx, audit.Filter{Entity: audit.EntityUser, EntityID: u.ID, Limit: 10})
		// Newest first: the reset, then the account's creation (also audited).
		if err != nil || len(entries) != 2 || entries[0].Action != "user.reset_mfa" || entries[0].ActorRole != "system" ||
			entries[1].Action != "user.create" {
			t.Fatalf("audit entries about the user: %+v, %v; want user.reset_mfa by the system after user.create", entries, err)
		}

		if err := run(ctx, []string{"user", "reset-mfa", "--email", "nobody@example.kr"}, getenv, io.Discard); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("reset-mfa of an unknown address: got %v, want ErrNotFound", err)
		}
		var ue usageError
		if err := run(ctx, []string{"user", "reset-mfa"}, getenv, io.Discard); !errors.As(err, &ue) {
			t.Errorf("reset-mfa without --email: got %v, want a usage error", err)
		}
	})
}
