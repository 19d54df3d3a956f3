package handlers_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/store/dbtest"
)

func TestErrorShape(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"malformed JSON", "POST", "/api/v1/auth/register", `{"email": "a@b.kr",`, 400, "malformed_request"},
			{"empty body", "POST", "/api/v1/auth/login", ``, 400, "malformed_request"},
			{"rule broken", "POST", "/api/v1/auth/register", map[string]string{"email": "a@b.kr", "password": "x", "name": "김", "phone": "010-1234-5678"}, 422, "validation_failed"},
			{"unknown route", "GET", "/api/v1/no/such/thing", nil, 404, "not_found"},
			{"no token", "GET", "/api/v1/me", nil, 401, "unauthenticated"},
			{"too large", "POST", "/api/v1/auth/login", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call(t, tc.method, tc.path, tc.body)
				if r.status != tc.status {
					t.Fatalf("got %d %.200s, want %d", r.status, r.body, tc.status)
				}
				m := r.json(t)
				if len(m) != 1 || m["error"] == nil {
					t.Fatalf("body %s: want exactly {\"error\": {...}}", r.body)
				}
				e := m["error"].(map[string]any)
				if e["code"] != tc.code || e["message"] == "" {
					t.Fatalf("error %v: want code %s and a message", e, tc.code)
				}
			})
		}
		t.Run("wrong content type", func(t *testing.T) {
			resp, err := http.Post(e.srv.URL+"/api/v1/auth/login", "text/plain", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Fatalf("got %d, want 415", resp.StatusCode)
			}
		})
		t.Run("unknown page is an HTML 404", func(t *testing.T) {
			resp, err := http.Get(e.srv.URL + "/no/such/page")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 404 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "찾는 페이지가 없습니다") {
				t.Fatalf("got %d %s, want a Korean HTML 404 page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		})
	})
}

func TestSecurityHeaders(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, path := range []string{"/", "/api/v1/me", "/healthz", "/static/css/bosang.css"} {
			resp, err := http.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
				t.Errorf("%s: got nosniff=%q referrer=%q request-id=%q", path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("X-Request-Id"))
			}
		}
	})
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formToken loads a page with the browser and returns its CSRF token.
func formToken(t *testing.T, c *http.Client, pageURL string) string {
	t.Helper()
	resp, err := c.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("%s has no csrf_token field", pageURL)
	}
	return m[1]
}

func TestCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		form := url.Values{"email": {"form@example.com"}, "password": {testPassword}, "name": {"김폼"}, "phone": {"010-2222-3333"}}
		post := func(c *http.Client, path string, v url.Values) *http.Response {
			resp, err := c.PostForm(e.srv.URL+path, v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		t.Run("form without token is refused", func(t *testing.T) {
			b := e.browser(t)
			formToken(t, b, e.srv.URL+"/register") // has the cookie, omits the token
			if resp := post(b, "/register", form); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d, want 403", resp.StatusCode)
			}
		})
		t.Run("token from another browser is refused", func(t *testing.T) {
			other := formToken(t, e.browser(t), e.srv.URL+"/register")
			b := e.browser(t)
			formToken(t, b, e.srv.URL+"/register")
			v := url.Values{"csrf_token": {other}}
			for k, vs := range form {
				v[k] = vs
			}
			if resp := post(b, "/register", v); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d, want 403", resp.StatusCode)
			}
		})
		t.Run("form with its token registers, then the login form logs in", func(t *testing.T) {
			b := e.browser(t)
			v := url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/register")}}
			for k, vs := range form {
				v[k] = vs
			}
			resp := post(b, "/register", v)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?registered=1&next=/account" {
				t.Fatalf("got %d to %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			login := url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/login")}, "email": form["email"], "password": form["password"], "next": {"/account"}}
			if resp := post(b, "/login", login); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
				t.Fatalf("login: got %d to %q, want 303 to /account", resp.StatusCode, resp.Header.Get("Location"))
			}
			acct, err := b.Get(e.srv.URL + "/account")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(acct.Body)
			acct.Body.Close()
			if acct.StatusCode != 200 || !strings.Contains(string(body), "김폼") {
				t.Fatalf("account page: got %d, want 200 showing the name", acct.StatusCode)
			}
			if resp := post(b, "/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("logout without token: got %d, want 403", resp.StatusCode)
			}
		})
		t.Run("cookie session on the API needs the CSRF header", func(t *testing.T) {
			b := e.browser(t)
			tok := formToken(t, b, e.srv.URL+"/login")
			resp := post(b, "/login", url.Values{"csrf_token": {tok}, "email": {"form@example.com"}, "password": {testPassword}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login form: got %d, want 303", resp.StatusCode)
			}
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/logout", nil)
			r, err := b.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("cookie-authenticated API POST without X-CSRF-Token: got %d, want 403", r.StatusCode)
			}
			req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/auth/logout", nil)
			req.Header.Set("X-CSRF-Token", formToken(t, b, e.srv.URL+"/account")) // the seed changed at login
			if r, err = b.Do(req); err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusNoContent {
				t.Fatalf("with X-CSRF-Token: got %d, want 204", r.StatusCode)
			}
		})
	})
}

func TestHealthAndMetrics(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
			if r := e.call(t, "GET", path, nil); r.status != want {
				t.Errorf("%s: got %d, want %d", path, r.status, want)
			}
		}
		e.call(t, "GET", "/api/v1/me", nil)
		r := e.call(t, "GET", "/metrics", nil)
		if !strings.Contains(string(r.body), `bosang_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`) {
			t.Fatalf("metrics lack the request counted by route:\n%.2000s", r.body)
		}
	})
}

// TestDeclaredTooLargeRefusedUpFront: a request whose Content-Length is over
// the cap gets 413 before any of its body is read: the site's error page in
// the visitor's language on pages (a phone uploading a 30 MB photo sees
// why), the API's JSON error under /api.
func TestDeclaredTooLargeRefusedUpFront(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	for _, c := range []struct {
		path, lang string
		want       []string
	}{
		{"/claims/0190a0a0-0000-7000-8000-000000000000/evidence", "ko", []string{"text/html", "요청이 너무 큽니다", "10 MiB"}},
		{"/claims/0190a0a0-0000-7000-8000-000000000000/evidence", "en", []string{"text/html", "The request is too large", "10 MiB"}},
		{"/api/v1/claims/0190a0a0-0000-7000-8000-000000000000/evidence", "en", []string{"application/json", `"code":"too_large"`}},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// Headers only: the body is never sent, so an answer proves the
		// server refused without reading it.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\nCookie: lang=%s\r\n\r\n",
			c.path, addr, 30<<20, c.lang)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a socket deadline is on the wall clock
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			t.Fatalf("%s: %v", c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		got := resp.Header.Get("Content-Type") + "\n" + string(body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s (%s): got %d, want 413", c.path, c.lang, resp.StatusCode)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s (%s): response lacks %q:\n%.300s", c.path, c.lang, w, got)
			}
		}
	}
}
