package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestMatchTOTP(t *testing.T) {
	en, err := newEnrolment("rev@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URI, "otpauth://totp/Bosang:rev@example.com?") || !strings.Contains(en.URI, "secret="+en.Secret) || len(en.Secret) != 32 {
		t.Fatalf("enrolment %+v: want a 160-bit base32 secret in an otpauth URI", en)
	}
	now := time.Date(2026, 12, 6, 4, 0, 15, 0, time.UTC) // 15 s into a step
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(en.Secret, at, totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step := totpStep(now)
	for _, tc := range []struct {
		name     string
		code     string
		lastStep int64
		ok       bool
		wantStep int64
	}{
		{"the current code", code(now), 0, true, step},
		{"the previous step's code (clock drift)", code(now.Add(-30 * time.Second)), 0, true, step - 1},
		{"the next step's code (clock drift)", code(now.Add(30 * time.Second)), 0, true, step + 1},
		{"two steps back is too old", code(now.Add(-60 * time.Second)), 0, false, 0},
		{"two steps ahead is too early", code(now.Add(60 * time.Second)), 0, false, 0},
		{"the current code used once already is a replay", code(now), step, false, 0},
		{"the previous step's code after the current one was used is a replay", code(now.Add(-30 * time.Second)), step, false, 0},
		{"the next step's code after the current one was used is fresh", code(now.Add(30 * time.Second)), step, true, step + 1},
		{"surrounding spaces are ignored", " " + code(now) + " ", 0, true, step},
		{"five digits", code(now)[:5], 0, false, 0},
		{"empty", "", 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := matchTOTP(en.Secret, tc.code, now, tc.lastStep)
			if ok != tc.ok || got != tc.wantStep {
				t.Errorf("got step %d ok=%v, want %d ok=%v", got, ok, tc.wantStep, tc.ok)
			}
		})
	}
	if _, ok := matchTOTP(en.Secret, "000000", now, 0); ok && code(now) != "000000" {
		t.Error("a wrong code matched")
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("got %d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || c[4] != '-' || seen[c] {
			t.Errorf("code %q: want xxxx-xxxx-xxxx-xxxx, all different", c)
		}
		seen[c] = true
		for _, typed := range []string{c, strings.ToUpper(c), strings.ReplaceAll(c, "-", ""), strings.ReplaceAll(c, "-", " ")} {
			if hashRecoveryCode(typed) != hashes[i] {
				t.Errorf("%q typed as %q does not match its hash", c, typed)
			}
		}
		if looksLikeTOTP(c) {
			t.Errorf("recovery code %q taken for a TOTP code", c)
		}
	}
	if hashRecoveryCode(codes[0]) == hashRecoveryCode(codes[1]) {
		t.Error("two codes hash the same")
	}
	if !looksLikeTOTP("123456") || looksLikeTOTP("12345a") {
		t.Error("looksLikeTOTP")
	}
}
