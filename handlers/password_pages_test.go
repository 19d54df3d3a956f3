package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/notify"
)

// advance moves the auth service's clock on by d.
func (a *authenticator) advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.offset += d
}

var resetLink = regexp.MustCompile(`https://bosang\.example(/password/reset\?token=[A-Za-z0-9_%-]+)`)

// resetLinks returns the links of the password reset e-mails sent so far,
// as the e-mail's text (notify.PasswordResetText) has them.
func resetLinks(t *testing.T, e *testEnv) []string {
	t.Helper()
	var links []string
	for _, m := range outboxOf(t, e.db, auth.TopicPasswordReset, false) {
		mail, err := notify.PasswordResetText(m, "https://bosang.example", e.auth.OpenPasswordResetMessage)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.Payload, strings.TrimPrefix(resetLink.FindStringSubmatch(mail.Body)[1], "/password/reset?token=")) {
			t.Fatal("the outbox holds the reset token in the clear")
		}
		links = append(links, resetLink.FindStringSubmatch(mail.Body)[1])
	}
	return links
}

func forgot(t *testing.T, e *testEnv, email string) page {
	t.Helper()
	b := e.browser(t)
	return postPage(t, e, b, "/password/forgot", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/password/forgot")}, "email": {email}})
}

// TestPasswordResetByEmail: the form answers alike for a known and an
// unknown address and only the known one gets a link; the link sets a new
// password once, ends every session, and is stored only as a hash.
func TestPasswordResetByEmail(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		old := e.registerAndLogin(t, "kim@example.com")
		known, unknown := forgot(t, e, "Kim@Example.com"), forgot(t, e, "nobody@example.com")
		notice := regexp.MustCompile(`<p role="status" id="notice">([^<]+)</p>`)
		if known.status != http.StatusOK || unknown.status != known.status || notice.FindString(known.body) == "" ||
			notice.FindString(known.body) != notice.FindString(unknown.body) {
			t.Fatalf("forgot: known %d, unknown %d; want 200 and the same notice", known.status, unknown.status)
		}
		links := resetLinks(t, e)
		if len(links) != 1 {
			t.Fatalf("reset e-mails: got %d, want 1 (none for the unknown address)", len(links))
		}
		var stored int64
		if err := countRows(e.db, "password_resets WHERE length(token_hash) = 64", &stored); err != nil || stored != 1 {
			t.Fatalf("stored resets: %d (%v), want 1 kept as a hash", stored, err)
		}
		if bad := forgot(t, e, "not an address"); bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="email-error"`) {
			t.Fatalf("a malformed address: got %d, want 422 with the field's error", bad.status)
		}

		b := e.browser(t)
		p := getPage(t, e, b, links[0], "")
		tok := csrfInput.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || tok == nil || !strings.Contains(p.body, `id="reset-submit"`) {
			t.Fatalf("the link: got %d, want the new-password form", p.status)
		}
		u, _ := url.Parse(links[0])
		form := url.Values{"csrf_token": {tok[1]}, "token": {u.Query().Get("token")}, "password": {"short"}}
		if q := postPage(t, e, b, "/password/reset", form); q.status != http.StatusUnprocessableEntity || !strings.Contains(q.body, `id="password-error"`) {
			t.Fatalf("a weak password: got %d, want 422 with the field's error", q.status)
		}
		form.Set("password", "a brand new passphrase")
		if q := postPage(t, e, b, "/password/reset", form); q.status != http.StatusSeeOther || q.location != "/login?reset=1" {
			t.Fatalf("reset: got %d to %q, want 303 to /login?reset=1", q.status, q.location)
		}
		if r := e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": old.RefreshToken}); r.status != http.StatusUnauthorized {
			t.Fatalf("a session from before the reset: got %d, want 401", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(old.AccessToken)...); r.status != http.StatusUnauthorized {
			t.Fatalf("an access token from before the reset: got %d, want 401", r.status)
		}
		e.login(t, "kim@example.com", "a brand new passphrase")
		if r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "kim@example.com", "password": testPassword}); r.status != http.StatusUnauthorized {
			t.Fatalf("the old password: got %d, want 401", r.status)
		}
		form.Set("password", "yet another passphrase")
		form.Set("csrf_token", formToken(t, b, e.srv.URL+"/password/forgot")) // the reset ended the browser's session and its CSRF seed
		if q := postPage(t, e, b, "/password/reset", form); q.status != http.StatusUnprocessableEntity || !strings.Contains(q.body, `id="forgot-again"`) {
			t.Fatalf("the link a second time: got %d, want 422 offering a new link", q.status)
		}
		if q := getPage(t, e, b, "/login?reset=1", ""); !strings.Contains(q.body, `id="notice"`) {
			t.Fatal("the login page after a reset has no notice")
		}
	})
}

// TestPasswordResetLinkExpiresAfter30Minutes pins the boundary on the
// injected clock: a minute before 30 minutes the link works, at 30 it
// does not.
func TestPasswordResetLinkExpiresAfter30Minutes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "lee@example.com")
		forgot(t, e, "lee@example.com")
		link := resetLinks(t, e)[0]
		b := e.browser(t)
		e.app.advance(29 * time.Minute)
		if p := getPage(t, e, b, link, ""); p.status != http.StatusOK {
			t.Fatalf("after 29 minutes: got %d, want 200", p.status)
		}
		e.app.advance(time.Minute)
		p := getPage(t, e, b, link, "en")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "expired") {
			t.Fatalf("after 30 minutes: got %d, want 422 saying it expired", p.status)
		}
		tok := csrfInput.FindStringSubmatch(getPage(t, e, b, "/password/forgot", "").body)[1]
		u, _ := url.Parse(link)
		q := postPage(t, e, b, "/password/reset", url.Values{"csrf_token": {tok}, "token": {u.Query().Get("token")}, "password": {"a brand new passphrase"}})
		if q.status != http.StatusUnprocessableEntity {
			t.Fatalf("posting an expired link: got %d, want 422", q.status)
		}
		e.login(t, "lee@example.com", testPassword) // unchanged
	})
}

// TestPasswordResetAPI: the JSON calls behave as the pages do and answer
// as the OpenAPI document says: 202 alike for any address, 204 for a good
// token, 422 for the same token again.
func TestPasswordResetAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		old := e.registerAndLogin(t, "park@example.com")
		k.exchange(t, e, 202, reqValid, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "park@example.com"})
		k.exchange(t, e, 202, reqValid, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "nobody@example.com"})
		k.exchange(t, e, 422, reqValid, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "nope"})
		links := resetLinks(t, e)
		if len(links) != 1 {
			t.Fatalf("reset e-mails: got %d, want 1", len(links))
		}
		u, _ := url.Parse(links[0])
		token := u.Query().Get("token")
		k.exchange(t, e, 422, reqValid, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "short"})
		k.exchange(t, e, 204, reqValid, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "a brand new passphrase"})
		r := k.exchange(t, e, 422, reqValid, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "yet another passphrase"})
		if !strings.Contains(string(r.body), `"token"`) {
			t.Fatalf("the token again: %s, want the field token named", r.body)
		}
		if r := e.call(t, "GET", "/api/v1/me", nil, bearer(old.AccessToken)...); r.status != http.StatusUnauthorized {
			t.Fatalf("a session from before the reset: got %d, want 401", r.status)
		}
		e.login(t, "park@example.com", "a brand new passphrase")
	})
}
