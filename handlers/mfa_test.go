package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
)

// createStaff makes a staff account through the service, as the CLI does.
func (e *testEnv) createStaff(t *testing.T, email, role string) {
	t.Helper()
	if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: testPassword, Name: "직원", Role: role}); err != nil {
		t.Fatal(err)
	}
}

// staffChallenge logs email in over the API and returns the challenge.
func (e *testEnv) staffChallenge(t *testing.T, email string) loginAnswer {
	t.Helper()
	r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword})
	var a loginAnswer
	if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil {
		t.Fatalf("staff login %s: got %d %s, want 200", email, r.status, r.body)
	}
	if !a.MFARequired || a.MFAToken == "" || a.AccessToken != "" || a.RefreshToken != "" {
		t.Fatalf("staff login %s: got %s, want a challenge and no tokens", email, r.body)
	}
	return a
}

func (e *testEnv) mfa(t *testing.T, token, code string) response {
	t.Helper()
	return e.call(t, "POST", "/api/v1/auth/mfa", map[string]string{"mfa_token": token, "code": code})
}

// TestStaffMFAOverAPI walks the API contract of the second factor: the
// password gives a challenge that opens nothing, the first code confirms
// the enrolment and gives the pair with recovery codes, a code or a
// recovery code is good once, and a bad token and a wrong code answer the
// same 401. Claimants still get their pair from login.
func TestStaffMFAOverAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.createStaff(t, "rev@example.com", "reviewer")
		a := e.staffChallenge(t, "rev@example.com")
		if a.Enrolment == nil || !strings.HasPrefix(a.Enrolment.URI, "otpauth://totp/") {
			t.Fatalf("first staff login: enrolment %+v, want a secret and otpauth URI", a.Enrolment)
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/review/queue"} {
			if r := e.call(t, "GET", path, nil, bearer(a.MFAToken)...); r.status != http.StatusUnauthorized {
				t.Fatalf("GET %s with the mfa_token: got %d, want 401", path, r.status)
			}
		}

		wrongCode := e.mfa(t, a.MFAToken, "000000")
		badToken := e.mfa(t, "not.a.token", "000000")
		if wrongCode.status != http.StatusUnauthorized || string(wrongCode.body) != string(badToken.body) {
			t.Fatalf("wrong code %d %s, bad token %d %s: want the same 401", wrongCode.status, wrongCode.body, badToken.status, badToken.body)
		}

		e.app.enrol("rev@example.com", a.Enrolment.Secret)
		code := e.app.code(t, "rev@example.com")
		first := e.mfa(t, a.MFAToken, code)
		if first.status != http.StatusOK {
			t.Fatalf("the first code: got %d %s", first.status, first.body)
		}
		var done struct {
			auth.Pair
			RecoveryCodes []string `json:"recovery_codes"`
		}
		if err := json.Unmarshal(first.body, &done); err != nil || done.AccessToken == "" || len(done.RecoveryCodes) != auth.RecoveryCodeCount {
			t.Fatalf("the first code: got %s, want a pair and %d recovery codes", first.body, auth.RecoveryCodeCount)
		}
		me := e.call(t, "GET", "/api/v1/me", nil, bearer(done.AccessToken)...)
		if me.status != http.StatusOK || me.json(t)["role"] != "reviewer" {
			t.Fatalf("GET /me after the second factor: %d %s", me.status, me.body)
		}
		if r := e.call(t, "GET", "/api/v1/review/queue", nil, bearer(done.AccessToken)...); r.status != http.StatusOK {
			t.Fatalf("the review queue after the second factor: got %d", r.status)
		}

		again := e.staffChallenge(t, "rev@example.com")
		if again.Enrolment != nil {
			t.Fatal("a login after enrolment shows the secret again")
		}
		if r := e.mfa(t, again.MFAToken, code); r.status != http.StatusUnauthorized {
			t.Fatalf("the enrolment's code again: got %d, want 401", r.status)
		}
		if r := e.mfa(t, again.MFAToken, done.RecoveryCodes[3]); r.status != http.StatusOK || strings.Contains(string(r.body), "recovery_codes") {
			t.Fatalf("a recovery code: got %d %s, want 200 without new codes", r.status, r.body)
		}
		if r := e.mfa(t, e.staffChallenge(t, "rev@example.com").MFAToken, done.RecoveryCodes[3]); r.status != http.StatusUnauthorized {
			t.Fatalf("the same recovery code again: got %d, want 401", r.status)
		}
		if r := e.mfa(t, e.staffChallenge(t, "rev@example.com").MFAToken, e.app.code(t, "rev@example.com")); r.status != http.StatusOK {
			t.Fatalf("the next code: got %d %s", r.status, r.body)
		}

		claimant := e.registerAndLogin(t, "kim@example.com") // fails unless login gave the pair at once
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(claimant.AccessToken)...); r.status != http.StatusOK {
			t.Fatalf("a claimant's token: got %d", r.status)
		}
	})
}

// TestStaffMFAThrottledOverAPI: after the free wrong codes the API answers
// 429 with Retry-After, the right code included.
func TestStaffMFAThrottledOverAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.createStaff(t, "sup@example.com", "supervisor")
		a := e.staffChallenge(t, "sup@example.com")
		e.app.enrol("sup@example.com", a.Enrolment.Secret)
		for range auth.DefaultThrottle.PairFree {
			if r := e.mfa(t, a.MFAToken, "12345"); r.status != http.StatusUnauthorized {
				t.Fatalf("a wrong code: got %d, want 401", r.status)
			}
		}
		r := e.mfa(t, a.MFAToken, "12345")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "30" {
			t.Fatalf("a sixth code: got %d Retry-After %q, want 429 and 30", r.status, r.header.Get("Retry-After"))
		}
	})
}

var (
	otpauthLink   = regexp.MustCompile(`<a href="(otpauth://totp/[^"]+)" id="mfa-uri">`)
	recoveryItems = regexp.MustCompile(`<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>`)
)

// hasSession reports whether browser b holds a session cookie.
func hasSession(t *testing.T, e *testEnv, b *http.Client) bool {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	for _, c := range b.Jar.Cookies(u) {
		if (c.Name == "bosang_at" || c.Name == "bosang_rt") && c.Value != "" {
			return true
		}
	}
	return false
}

// TestStaffMFAPages walks the HTML login of a staff member without
// JavaScript: the password leads to the code form (with the secret and its
// otpauth link while enrolling) and no session; a wrong code shows the form
// again; the right one starts the session and shows the recovery codes
// once; a later login goes straight on after its code; a sign-in whose
// token is no good goes back to the login form.
func TestStaffMFAPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.createStaff(t, "rev@example.com", "reviewer")
		b := e.browser(t)
		p := postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")},
			"email": {"rev@example.com"}, "password": {testPassword}, "next": {"/review"}})
		secret := mfaSecretText.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || secret == nil || !strings.Contains(p.body, `action="/login/mfa"`) {
			t.Fatalf("staff password: got %d, want the enrolment form with the secret", p.status)
		}
		if link := otpauthLink.FindStringSubmatch(p.body); link == nil || !strings.Contains(link[1], "secret="+secret[1]) {
			t.Fatal("the enrolment form has no otpauth link with the secret")
		}
		if !strings.Contains(p.body, "인증 앱 등록") {
			t.Error("the enrolment form is not in Korean")
		}
		if hasSession(t, e, b) {
			t.Fatal("the password alone gave the browser a session")
		}
		if q := getPage(t, e, b, "/review", ""); q.status != http.StatusSeeOther {
			t.Fatalf("GET /review before the code: got %d, want a redirect to log in", q.status)
		}

		form := url.Values{"csrf_token": csrfInput.FindStringSubmatch(p.body)[1:2], "mfa_token": mfaTokenInput.FindStringSubmatch(p.body)[1:2], "next": {"/review"}}
		form.Set("code", "000000")
		wrong := postPage(t, e, b, "/login/mfa", form)
		if wrong.status != http.StatusUnauthorized || !strings.Contains(wrong.body, `id="flash"`) || mfaSecretText.FindStringSubmatch(wrong.body) == nil {
			t.Fatalf("a wrong code: got %d, want 401 with the message and the secret again", wrong.status)
		}
		e.app.enrol("rev@example.com", secret[1])
		form.Set("code", e.app.code(t, "rev@example.com"))
		rec := postPage(t, e, b, "/login/mfa", form)
		codes := recoveryItems.FindAllStringSubmatch(rec.body, -1)
		if rec.status != http.StatusOK || len(codes) != auth.RecoveryCodeCount || !strings.Contains(rec.body, `id="mfa-continue"`) {
			t.Fatalf("the first code: got %d with %d recovery codes, want 200 and %d", rec.status, len(codes), auth.RecoveryCodeCount)
		}
		if !strings.Contains(rec.body, `href="/review" id="mfa-continue"`) || !strings.Contains(rec.body, `id="logout"`) || !hasSession(t, e, b) {
			t.Fatal("the recovery codes page: want a session, the log-out button and a link on to /review")
		}
		if q := getPage(t, e, b, "/review", ""); q.status != http.StatusOK {
			t.Fatalf("GET /review after the code: got %d, want 200", q.status)
		}
		// The logout form on the recovery page carries the new CSRF token.
		logoutTok := csrfInput.FindStringSubmatch(rec.body)[1]
		if q := postPage(t, e, b, "/logout", url.Values{"csrf_token": {logoutTok}}); q.status != http.StatusSeeOther {
			t.Fatalf("log out with the recovery page's form: got %d, want 303", q.status)
		}

		// A later login, in English: the code form without the secret,
		// then straight to where the browser was going.
		en := e.browser(t)
		u, _ := url.Parse(e.srv.URL)
		en.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
		p = postPage(t, e, en, "/login", url.Values{"csrf_token": {formToken(t, en, e.srv.URL+"/login")},
			"email": {"rev@example.com"}, "password": {testPassword}, "next": {"/review"}})
		if p.status != http.StatusOK || mfaSecretText.MatchString(p.body) || !strings.Contains(p.body, "Two-step verification") {
			t.Fatalf("a later staff login: got %d, want the English code form without the secret", p.status)
		}
		form = url.Values{"csrf_token": csrfInput.FindStringSubmatch(p.body)[1:2], "mfa_token": mfaTokenInput.FindStringSubmatch(p.body)[1:2],
			"next": {"/review"}, "code": {e.app.code(t, "rev@example.com")}}
		if q := postPage(t, e, en, "/login/mfa", form); q.status != http.StatusSeeOther || q.location != "/review" {
			t.Fatalf("a later code: got %d to %q, want 303 to /review", q.status, q.location)
		}

		// A token that is no good (forged, expired): back to the login form.
		form.Set("mfa_token", "not.a.token")
		form.Set("csrf_token", formToken(t, en, e.srv.URL+"/login"))
		q := postPage(t, e, en, "/login/mfa", form)
		if q.status != http.StatusUnauthorized || !strings.Contains(q.body, `id="login-submit"`) || !strings.Contains(q.body, "The sign-in has expired") {
			t.Fatalf("a bad mfa_token: got %d, want 401 with the login form and its message", q.status)
		}
	})
}

// TestStaffMFAPageThrottled: the code form answers 429 with Retry-After
// and says how long to wait once wrong codes are throttled.
func TestStaffMFAPageThrottled(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.createStaff(t, "op@example.com", "operator")
		b := e.browser(t)
		p := postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")},
			"email": {"op@example.com"}, "password": {testPassword}})
		form := url.Values{"csrf_token": csrfInput.FindStringSubmatch(p.body)[1:2], "mfa_token": mfaTokenInput.FindStringSubmatch(p.body)[1:2], "code": {"000000"}}
		for range auth.DefaultThrottle.PairFree {
			postPage(t, e, b, "/login/mfa", form)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/login/mfa", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
			t.Fatalf("the code form after %d wrong codes: got %d Retry-After %q, want 429 and 30", auth.DefaultThrottle.PairFree, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
}
