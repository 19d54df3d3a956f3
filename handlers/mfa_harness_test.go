package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
)

// authenticator is the staff members' authenticator app in the handler
// tests, and the clock of the auth service under test. A TOTP code is
// good once per 30-second step, and tests log the same staff member in
// many times within seconds; rather than wait, every code the app makes
// moves the service's clock (the server's clock plus an offset) on by one step and
// is computed for that moment. The server checks it against the same
// clock, as it would a phone's code at the next step. The throttles run
// on that clock too: a 30-second wait is over once the next code is made.
type authenticator struct {
	mu      sync.Mutex
	base    func() time.Time // the test server's business clock
	offset  time.Duration
	secrets map[string]string // by e-mail
}

// now is the auth service's clock: the test server's business clock plus
// the steps the authenticator moved on, so that the audit entries of the
// auth service fall on the same day as the others. (The JWT signer stays on
// the wall clock: it signs and checks the tokens with its own.)
func (a *authenticator) now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.base().Add(a.offset)
}

// enrol remembers the secret a login showed for email.
func (a *authenticator) enrol(email, secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets[email] = secret
}

// code returns email's code for the next step, moving the clock onto it.
func (a *authenticator) code(t *testing.T, email string) string {
	t.Helper()
	a.mu.Lock()
	secret, ok := a.secrets[email]
	a.offset += 30 * time.Second
	at := a.base().Add(a.offset)
	a.mu.Unlock()
	if !ok {
		t.Fatalf("%s has a second factor the test never saw enrolled", email)
	}
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestAuth is the auth service of the handler tests: the given signing
// key, TOTP secrets sealed with a key of their own, and the clock of the
// returned authenticator.
func newTestAuth(t *testing.T, db *store.DB, key []byte, base func() time.Time) (*auth.Service, *authenticator) {
	t.Helper()
	app := &authenticator{base: base, secrets: map[string]string{}}
	sealKey := make([]byte, 32)
	copy(sealKey, key)
	sealKey[0] ^= 0xff
	sealer, err := pii.NewSealer(sealKey)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(db.Accounts(), auth.NewSigner(key, 15*time.Minute, time.Now), sealer, 24*time.Hour, auth.DefaultThrottle, app.now,
		func() string { return uuid.Must(uuid.NewV7()).String() })
	svc.CacheUsers(db, auth.UserCacheMaxAge) // as served: every handler test runs with the user cache
	return svc, app
}

// loginAnswer is what POST /auth/login answers: a pair, or a challenge.
type loginAnswer struct {
	auth.Pair
	MFARequired bool            `json:"mfa_required"`
	MFAToken    string          `json:"mfa_token"`
	Enrolment   *auth.Enrolment `json:"enrolment"`
}

// finishMFA answers a staff login's challenge over the API with the next
// code and returns the token pair.
func (e *testEnv) finishMFA(t *testing.T, email string, a loginAnswer) auth.Pair {
	t.Helper()
	if a.Enrolment != nil {
		e.app.enrol(email, a.Enrolment.Secret)
	}
	r := e.call(t, "POST", "/api/v1/auth/mfa", map[string]string{"mfa_token": a.MFAToken, "code": e.app.code(t, email)})
	if r.status != http.StatusOK {
		t.Fatalf("second factor of %s: got %d %s, want 200", email, r.status, r.body)
	}
	var p auth.Pair
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	mfaTokenInput = regexp.MustCompile(`name="mfa_token" value="([^"]+)"`)
	mfaSecretText = regexp.MustCompile(`id="mfa-secret">([A-Z2-7]+)<`)
)

// finishBrowserMFA answers the code form a staff login showed (p) with the
// next code, as a browser would, and returns the page that follows: a
// redirect, or after enrolment the recovery codes.
func (e *testEnv) finishBrowserMFA(t *testing.T, b *http.Client, email string, p page) page {
	t.Helper()
	tok, csrf := mfaTokenInput.FindStringSubmatch(p.body), csrfInput.FindStringSubmatch(p.body)
	if tok == nil || csrf == nil {
		t.Fatalf("login of %s: got %d without the code form, want the second step", email, p.status)
	}
	if m := mfaSecretText.FindStringSubmatch(p.body); m != nil {
		e.app.enrol(email, m[1])
	}
	return postPage(t, e, b, "/login/mfa", url.Values{"csrf_token": {csrf[1]}, "mfa_token": {tok[1]}, "code": {e.app.code(t, email)}})
}
