package handlers_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
)

// from returns a client whose requests come from ip, another loopback
// address (the whole of 127.0.0.0/8 is loopback), as another machine's
// would.
func (e *testEnv) from(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// postJSON sends body as JSON with client c.
func (e *testEnv) postJSON(t *testing.T, c *http.Client, path string, body any) response {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := c.Post(e.srv.URL+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	json.NewDecoder(resp.Body).Decode(&raw) //nolint:errcheck // an empty body stays empty
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// TestGuessingFromOneAddressSparesTheOwner pins issue 11 defect 8 over
// HTTP: wrong passwords from one address make that address wait, and the
// account's owner logs in from another address at once.
func TestGuessingFromOneAddressSparesTheOwner(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "staff@example.com")
		attacker, owner := e.from(t, "127.0.0.2"), e.from(t, "127.0.0.3")
		for range auth.DefaultThrottle.PairFree + 1 {
			e.postJSON(t, attacker, "/api/v1/auth/login", map[string]string{"email": "staff@example.com", "password": "guess guess guess"})
		}
		r := e.postJSON(t, attacker, "/api/v1/auth/login", map[string]string{"email": "staff@example.com", "password": testPassword})
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("the guessing address: got %d, want 429 with Retry-After", r.status)
		}
		if r := e.postJSON(t, owner, "/api/v1/auth/login", map[string]string{"email": "staff@example.com", "password": testPassword}); r.status != http.StatusOK {
			t.Fatalf("the owner from another address: got %d %s, want 200", r.status, r.body)
		}
	})
}

// TestRegisterAnswersAlike pins the sign-up half of defect 8: the API and
// the sign-up form answer a registered address exactly as a new one, and
// the owner is told through the outbox.
func TestRegisterAnswersAlike(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "taken@example.com")
		body := func(email string) map[string]string {
			return map[string]string{"email": email, "password": "another long passphrase", "name": "김가입", "phone": "010-5555-6666"}
		}
		fresh := e.call(t, "POST", "/api/v1/auth/register", body("fresh@example.com"))
		taken := e.call(t, "POST", "/api/v1/auth/register", body("Taken@example.com"))
		if fresh.status != http.StatusCreated || taken.status != http.StatusCreated {
			t.Fatalf("new address %d, registered address %d: want 201 for both", fresh.status, taken.status)
		}
		shape := func(r response) []string {
			u := r.json(t)["user"].(map[string]any)
			keys := make([]string, 0, len(u))
			for k, v := range u {
				keys = append(keys, k+"="+map[bool]string{true: "set", false: "empty"}[v != ""])
			}
			slices.Sort(keys)
			return keys
		}
		if a, b := shape(fresh), shape(taken); !slices.Equal(a, b) {
			t.Fatalf("user shapes differ: new %v, registered %v", a, b)
		}
		var n int64
		if err := countRows(e.db, "outbox WHERE topic = '"+auth.TopicSignupExisting+"'", &n); err != nil || n != 1 {
			t.Fatalf("messages to the owner: got %d (%v), want 1", n, err)
		}
		if r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": "taken@example.com", "password": "another long passphrase"}); r.status != http.StatusUnauthorized {
			t.Fatalf("the sign-up changed the registered account's password: login got %d", r.status)
		}

		form := func(email string) (int, string, []string) {
			b := e.browser(t)
			v := url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/register")}, "email": {email}, "password": {"another long passphrase"},
				"name": {"김가입"}, "phone": {"010-5555-6666"}}
			resp, err := b.PostForm(e.srv.URL+"/register", v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var cookies []string
			for _, c := range resp.Cookies() {
				cookies = append(cookies, c.Name)
			}
			slices.Sort(cookies)
			return resp.StatusCode, resp.Header.Get("Location"), cookies
		}
		s1, l1, c1 := form("fresh-form@example.com")
		s2, l2, c2 := form("taken@example.com")
		if s1 != http.StatusSeeOther || s1 != s2 || l1 != l2 || !slices.Equal(c1, c2) {
			t.Fatalf("sign-up form: new address %d to %q setting %v, registered %d to %q setting %v; want the same 303",
				s1, l1, c1, s2, l2, c2)
		}
		if l1 != "/login?registered=1&next=/account" {
			t.Fatalf("after the form: sent to %q, want /login?registered=1&next=/account", l1)
		}
		if p := getPage(t, e, e.browser(t), l1, ""); !strings.Contains(p.body, `id="notice"`) {
			t.Errorf("the login page after sign-up shows no notice")
		}
		// The new account works.
		e.login(t, "fresh-form@example.com", "another long passphrase")
	})
}

// TestRegisterLimitedPerAddress: past the sign-up limit one address gets
// 429 with Retry-After; another address signs up.
func TestRegisterLimitedPerAddress(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.from(t, "127.0.0.2")
		reg := func(c *http.Client, i int, who string) response {
			return e.postJSON(t, c, "/api/v1/auth/register", map[string]string{"email": who + strings.Repeat("x", i) + "@example.com",
				"password": testPassword, "name": "김", "phone": "010-1234-5678"})
		}
		for i := range auth.DefaultThrottle.MaxSignups {
			if r := reg(c, i, "many"); r.status != http.StatusCreated {
				t.Fatalf("sign-up %d: got %d %s", i+1, r.status, r.body)
			}
		}
		r := reg(c, auth.DefaultThrottle.MaxSignups, "many")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("sign-up %d from one address: got %d, want 429 with Retry-After", auth.DefaultThrottle.MaxSignups+1, r.status)
		}
		if r := reg(e.from(t, "127.0.0.3"), 0, "other"); r.status != http.StatusCreated {
			t.Fatalf("another address: got %d, want 201", r.status)
		}
	})
}
