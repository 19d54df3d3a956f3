package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bosang/bosang/store/dbtest"
)

// setCookieNamed reports whether resp sets (or deletes) the named cookie.
func setCookieNamed(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// TestRefreshCookieAloneNeedsCSRF pins issue 11 defect 3: a request that
// only the refresh cookie authenticates needs the CSRF proof as much as one
// carrying the access cookie, and a refused one neither acts nor rotates the
// session.
func TestRefreshCookieAloneNeedsCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		id := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)["id"].(string)
		pair := e.login(t, "alice@example.com", testPassword)

		b := e.browser(t)
		tok := formToken(t, b, e.srv.URL+"/login") // the browser's own CSRF cookie and token
		base, _ := url.Parse(e.srv.URL)
		b.Jar.SetCookies(base, []*http.Cookie{{Name: "bosang_rt", Value: pair.RefreshToken}})
		withdraw := func(csrf string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/claims/"+id+"/withdraw", strings.NewReader(`{"reason":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			resp, err := b.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}

		resp := withdraw("")
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("withdraw with only the refresh cookie and no CSRF header: got %d, want 403", resp.StatusCode)
		}
		if setCookieNamed(resp, "bosang_rt") || setCookieNamed(resp, "bosang_at") {
			t.Errorf("the refused request renewed the session: %v", resp.Header.Values("Set-Cookie"))
		}
		if got := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)["status"]; got != "submitted" {
			t.Fatalf("claim status after the refused withdrawal: got %v, want submitted", got)
		}
		// The refresh token was not spent: with the proof the same cookie works.
		if resp := withdraw(tok); resp.StatusCode != http.StatusOK || !setCookieNamed(resp, "bosang_rt") {
			t.Fatalf("withdraw with the refresh cookie and the CSRF header: got %d, want 200 with a renewed session", resp.StatusCode)
		}
	})
}

// TestCrossOriginRefused pins the second layer in front of the router:
// unsafe requests a browser sends from another origin are refused whatever
// cookies or tokens they carry; same-origin requests, the public address
// and clients that send no browser headers pass.
func TestCrossOriginRefused(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	cases := []struct {
		name, method, path string
		headers            []string
		want               int
	}{
		{"cross-site fetch of the login API", "POST", "/api/v1/auth/login", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"same-site but other origin", "POST", "/api/v1/auth/login", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"Origin of another site, no Sec-Fetch-Site", "POST", "/api/v1/auth/login", []string{"Origin", "https://evil.example"}, 403},
		{"same-origin fetch", "POST", "/api/v1/auth/login", []string{"Sec-Fetch-Site", "same-origin"}, 401},
		{"the public address is trusted", "POST", "/api/v1/auth/login", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://bosang.example"}, 401},
		{"no browser headers (API client)", "POST", "/api/v1/auth/login", nil, 401},
		{"cross-site GET is safe", "GET", "/api/v1/services", []string{"Sec-Fetch-Site", "cross-site"}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.method == "POST" { // a different account each time, so no login throttle answers
				body, _ = json.Marshal(map[string]string{"email": "nobody-" + strings.ReplaceAll(tc.name, " ", "-") + "@example.com",
					"password": "wrong password here"})
			}
			req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for i := 0; i+1 < len(tc.headers); i += 2 {
				req.Header.Set(tc.headers[i], tc.headers[i+1])
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct{ Code string } `json:"error"`
			}
			json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck // checked through the code below
			resp.Body.Close()
			if resp.StatusCode != tc.want || (tc.want == 403 && out.Error.Code != "forbidden") {
				t.Fatalf("got %d %q, want %d", resp.StatusCode, out.Error.Code, tc.want)
			}
		})
	}
	t.Run("a form with a valid token from another origin", func(t *testing.T) {
		b := e.browser(t)
		v := url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")}, "email": {"nobody@example.com"}, "password": {"wrong password here"}}
		req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
}

// TestCSRFSeedRotatedAtLoginAndLogout pins issue 11 defect 7's first part: a
// form token known before logging in (or a seed cookie planted then) is
// worthless once the session begins, and again once it ends.
func TestCSRFSeedRotatedAtLoginAndLogout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "seed@example.com")
		b := e.browser(t)
		before := formToken(t, b, e.srv.URL+"/login")
		if p := postPage(t, e, b, "/login", url.Values{"csrf_token": {before}, "email": {"seed@example.com"}, "password": {testPassword}}); p.status != http.StatusSeeOther {
			t.Fatalf("login: got %d, want 303", p.status)
		}
		during := formToken(t, b, e.srv.URL+"/account")
		if during == before {
			t.Fatal("the form token is the same before and after logging in")
		}
		if p := postPage(t, e, b, "/logout", url.Values{"csrf_token": {before}}); p.status != http.StatusForbidden {
			t.Fatalf("logout with the token from before the login: got %d, want 403", p.status)
		}
		if p := postPage(t, e, b, "/logout", url.Values{"csrf_token": {during}}); p.status != http.StatusSeeOther {
			t.Fatalf("logout with the session's token: got %d, want 303", p.status)
		}
		if after := formToken(t, b, e.srv.URL+"/login"); after == during {
			t.Fatal("the form token is the same before and after logging out")
		}
	})
}

// TestParallelRequestsWithOneRefreshCookie: a browser whose access cookie
// has expired sends its refresh cookie with every request in flight; none
// of them may log it out, and all renew it to the same session.
func TestParallelRequestsWithOneRefreshCookie(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		pair := e.registerAndLogin(t, "tabs@example.com")
		renewed := make([]string, 4)
		statuses := make([]int, len(renewed))
		var wg sync.WaitGroup
		for i := range renewed {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
				req.AddCookie(&http.Cookie{Name: "bosang_rt", Value: pair.RefreshToken})
				resp, err := e.srv.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
				for _, c := range resp.Cookies() {
					if c.Name == "bosang_rt" {
						renewed[i] = c.Value
					}
				}
			})
		}
		wg.Wait()
		for i := range renewed {
			if statuses[i] != http.StatusOK || renewed[i] == "" || renewed[i] != renewed[0] {
				t.Fatalf("request %d: got %d renewing to %.8q…, want 200 renewing to the same token as the others", i, statuses[i], renewed[i])
			}
		}
		r := e.call(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": renewed[0]})
		if r.status != http.StatusOK {
			t.Fatalf("the renewed session: got %d %s, want 200", r.status, r.body)
		}
	})
}
