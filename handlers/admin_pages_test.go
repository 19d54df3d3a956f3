package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLoginLandsOnRolesWork: without a next, each role lands on its own
// work; with one, there.
func TestLoginLandsOnRolesWork(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "claimant@example.com")
		b := e.browser(t)
		p := postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")},
			"email": {"claimant@example.com"}, "password": {testPassword}, "next": {"/"}})
		if p.status != http.StatusSeeOther || p.location != "/claims" {
			t.Fatalf("claimant: got %d to %q, want 303 to /claims", p.status, p.location)
		}
		b = e.browser(t)
		p = postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")},
			"email": {"claimant@example.com"}, "password": {testPassword}, "next": {"/status"}})
		if p.status != http.StatusSeeOther || p.location != "/status" {
			t.Fatalf("claimant with next: got %d to %q, want 303 to /status", p.status, p.location)
		}
		continueLink := regexp.MustCompile(`href="([^"]*)" id="mfa-continue"`)
		for role, want := range map[string]string{"reviewer": "/review", "operator": "/ops", "supervisor": "/dashboard", "admin": "/admin/users"} {
			email := role + "@example.com"
			e.createStaff(t, email, role)
			// First login: the recovery codes page goes on to the role's work.
			b := e.browser(t)
			p := postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")}, "email": {email}, "password": {testPassword}})
			p = e.finishBrowserMFA(t, b, email, p)
			if m := continueLink.FindStringSubmatch(p.body); m == nil || m[1] != want {
				t.Fatalf("%s after enrolment: continue link %v, want %s", role, m, want)
			}
			// Later logins: straight there, and the page answers.
			b = e.browser(t)
			p = postPage(t, e, b, "/login", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")}, "email": {email}, "password": {testPassword}})
			p = e.finishBrowserMFA(t, b, email, p)
			if p.status != http.StatusSeeOther || p.location != want {
				t.Fatalf("%s: got %d to %q, want 303 to %s", role, p.status, p.location, want)
			}
			if q := getPage(t, e, b, want, ""); q.status != http.StatusOK {
				t.Fatalf("%s: GET %s got %d, want 200", role, want, q.status)
			}
		}
	})
}

// TestAdminUserPages: an admin creates a reviewer from the form (errors
// shown by field), changes its role, disables and enables it and resets
// its factor, each from the account page with a notice; others get 403.
func TestAdminUserPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.createStaff(t, "sup@example.com", "supervisor")
		sup := loginBrowser(t, e, "sup@example.com")
		if p := getPage(t, e, sup, "/admin/users", ""); p.status != http.StatusForbidden {
			t.Fatalf("supervisor on /admin/users: got %d, want 403", p.status)
		}
		e.createStaff(t, "admin@example.com", "admin")
		b := loginBrowser(t, e, "admin@example.com")
		p := getPage(t, e, b, "/admin/users", "")
		if p.status != http.StatusOK || !strings.Contains(p.body, "sup@example.com") || !strings.Contains(p.body, `id="create-user"`) {
			t.Fatalf("users page: got %d, want the staff list and the create form", p.status)
		}
		tok := csrfInput.FindStringSubmatch(p.body)[1]

		bad := postPage(t, e, b, "/admin/users", url.Values{"csrf_token": {tok}, "email": {"not-an-address"}, "name": {""}, "password": {"short"}, "role": {"superuser"}})
		for _, id := range []string{"email-error", "name-error", "password-error", "role-error"} {
			if !strings.Contains(bad.body, `id="`+id+`"`) {
				t.Errorf("a bad create form: got %d without %s", bad.status, id)
			}
		}
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `value="not-an-address"`) {
			t.Fatalf("a bad create form: got %d, want 422 keeping what was typed", bad.status)
		}
		p = postPage(t, e, b, "/admin/users", url.Values{"csrf_token": {tok}, "email": {"rev@example.com"}, "name": {"김심사"}, "password": {testPassword}, "role": {"reviewer"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/admin/users/") {
			t.Fatalf("create: got %d to %q", p.status, p.location)
		}
		account, _, _ := strings.Cut(p.location, "?")
		if q := postPage(t, e, b, "/admin/users", url.Values{"csrf_token": {tok}, "email": {"rev@example.com"}, "name": {"또"}, "password": {testPassword}, "role": {"reviewer"}}); q.status != http.StatusConflict || !strings.Contains(q.body, `id="email-error"`) {
			t.Fatalf("create a taken address: got %d, want 409 with the e-mail's error", q.status)
		}
		p = getPage(t, e, b, p.location, "")
		if !strings.Contains(p.body, `id="notice"`) || !strings.Contains(p.body, "심사자") {
			t.Fatalf("the new account's page: want the notice and the role")
		}
		rev := loginBrowser(t, e, "rev@example.com")

		step := func(path string, form url.Values, done, role string) {
			t.Helper()
			form.Set("csrf_token", tok)
			p := postPage(t, e, b, account+path, form)
			if p.status != http.StatusSeeOther || p.location != account+"?done="+done {
				t.Fatalf("POST %s: got %d to %q, want 303 to ?done=%s", path, p.status, p.location, done)
			}
			p = getPage(t, e, b, p.location, "en")
			if !strings.Contains(p.body, `id="notice"`) || !strings.Contains(p.body, role) {
				t.Fatalf("after %s: want the notice and %q", path, role)
			}
		}
		step("/role", url.Values{"role": {"supervisor"}}, "role", "Supervisor")
		if q := getPage(t, e, rev, "/review", ""); q.status != http.StatusSeeOther {
			t.Fatalf("the reviewer's browser after the role change: got %d, want a redirect to log in", q.status)
		}
		step("/access", url.Values{"disabled": {"true"}}, "disabled", "Disabled")
		lb := e.browser(t)
		if q := postPage(t, e, lb, "/login", url.Values{"csrf_token": {formToken(t, lb, e.srv.URL+"/login")}, "email": {"rev@example.com"}, "password": {testPassword}}); q.status != http.StatusUnauthorized {
			t.Fatalf("login of a disabled account: got %d, want 401", q.status)
		}
		step("/access", url.Values{"disabled": {"false"}}, "enabled", "Active")
		step("/reset-mfa", url.Values{}, "mfa", "Supervisor")
		lb = e.browser(t)
		q := postPage(t, e, lb, "/login", url.Values{"csrf_token": {formToken(t, lb, e.srv.URL+"/login")}, "email": {"rev@example.com"}, "password": {testPassword}})
		if mfaSecretText.FindStringSubmatch(q.body) == nil {
			t.Fatalf("login after the reset: got %d, want the enrolment form", q.status)
		}

		// An admin cannot lock themselves out: the page says why.
		me := getPage(t, e, b, "/admin/users?q=admin@", "")
		self := regexp.MustCompile(`href="(/admin/users/[^"]+)">admin@example.com`).FindStringSubmatch(me.body)
		if self == nil {
			t.Fatal("the search does not find the admin")
		}
		if q := postPage(t, e, b, self[1]+"/access", url.Values{"csrf_token": {tok}, "disabled": {"true"}}); q.status != http.StatusUnprocessableEntity || !strings.Contains(q.body, `id="flash"`) {
			t.Fatalf("disable oneself: got %d, want 422 with the reason", q.status)
		}
	})
}
