package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// The addresses of these tests: a proxy on the private network, a peer that
// is not a proxy, and two clients on the internet.
const (
	proxyPeer     = "10.0.0.2"
	strangerPeer  = "192.0.2.50"
	clientA       = "203.0.113.7"
	clientB       = "198.51.100.9"
	proxyNetwork  = "10.0.0.0/8"
	sprayPassword = "guess guess guess"
)

// via sends a JSON request straight to the router as if it came from peer
// (httptest with RemoteAddr), with headers in name, value pairs.
func (e *testEnv) via(t *testing.T, peer, method, path string, body any, headers ...string) response {
	t.Helper()
	var buf []byte
	if body != nil {
		buf, _ = json.Marshal(body)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, path, bytes.NewReader(buf))
	req.RemoteAddr = peer + ":40123"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// spray fails auth.DefaultThrottle.MaxAddress logins to as many accounts,
// each request sent by peer with the headers forward(i) returns: what
// blocks the address the server sees.
func (e *testEnv) spray(t *testing.T, peer string, forward func(i int) []string) {
	t.Helper()
	for i := range auth.DefaultThrottle.MaxAddress {
		body := map[string]string{"email": fmt.Sprintf("spray%d@example.com", i), "password": sprayPassword}
		if r := e.via(t, peer, "POST", "/api/v1/auth/login", body, forward(i)...); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: got %d %s, want 401", i+1, r.status, r.body)
		}
	}
}

func (e *testEnv) loginVia(t *testing.T, peer, email string, headers ...string) response {
	t.Helper()
	return e.via(t, peer, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword}, headers...)
}

// eachEnvWith is eachEnv with the router's Deps changed by adjust.
func eachEnvWith(t *testing.T, adjust func(*handlers.Deps), fn func(t *testing.T, e *testEnv)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newTestEnvWith(t, db, adjust)) })
}

func trusting(proxies ...string) func(*handlers.Deps) {
	return func(d *handlers.Deps) { d.TrustedProxies = proxies }
}

// TestForwardedClientsThrottledApart pins the first reproduced failure of
// issue 13: behind a proxy every client was the proxy, so 20 wrong
// passwords from anyone made the correct login of everyone else a 429 for
// 900 s. With the proxy trusted, the client it names is throttled alone.
func TestForwardedClientsThrottledApart(t *testing.T) {
	eachEnvWith(t, trusting(proxyNetwork), func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "owner@example.com")
		e.spray(t, proxyPeer, func(int) []string { return []string{"X-Forwarded-For", clientA} })
		if r := e.loginVia(t, proxyPeer, "owner@example.com", "X-Forwarded-For", clientA); r.status != http.StatusTooManyRequests {
			t.Fatalf("forwarded client A after %d failures: got %d, want 429", auth.DefaultThrottle.MaxAddress, r.status)
		}
		if r := e.loginVia(t, proxyPeer, "owner@example.com", "X-Forwarded-For", clientB); r.status != http.StatusOK {
			t.Fatalf("forwarded client B through the same proxy: got %d %s, want 200", r.status, r.body)
		}
	})
}

// TestForwardedHeaderIgnoredFromUntrustedPeer pins the other side: a peer
// that is not a trusted proxy cannot choose its address by sending the
// header, so every request from it counts against the peer.
func TestForwardedHeaderIgnoredFromUntrustedPeer(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies []string
		peer    string
	}{
		{"no trusted proxies, the default", nil, proxyPeer},
		{"a peer outside the trusted network", []string{proxyNetwork}, strangerPeer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachEnvWith(t, trusting(tt.proxies...), func(t *testing.T, e *testEnv) {
				e.registerAndLogin(t, "owner@example.com")
				e.spray(t, tt.peer, func(int) []string { return []string{"X-Forwarded-For", clientA} })
				if r := e.loginVia(t, tt.peer, "owner@example.com", "X-Forwarded-For", clientB); r.status != http.StatusTooManyRequests {
					t.Fatalf("header naming B from the same untrusted peer: got %d, want 429 (the peer is blocked)", r.status)
				}
			})
		})
	}
}

// TestSpoofedForwardedForCannotEscape: a client writes its own
// X-Forwarded-For, different on every attempt and once naming B; the proxy
// appends the address it saw (through one or two proxies). The address is
// read from the right, so the attacker is throttled as itself and B, whose
// address it wrote, is not.
func TestSpoofedForwardedForCannotEscape(t *testing.T) {
	eachEnvWith(t, trusting(proxyNetwork), func(t *testing.T, e *testEnv) {
		e.registerAndLogin(t, "owner@example.com")
		spoofed := func(i int) []string {
			lie := fmt.Sprintf("198.51.100.%d", 100+i)
			if i == 0 {
				lie = clientB
			}
			if i%2 == 1 { // a second proxy hop on the private network
				return []string{"X-Forwarded-For", lie + ", " + clientA + ", 10.0.0.3"}
			}
			return []string{"X-Forwarded-For", lie + ", " + clientA}
		}
		e.spray(t, proxyPeer, spoofed)
		if r := e.loginVia(t, proxyPeer, "owner@example.com", "X-Forwarded-For", "192.0.2.200, "+clientA); r.status != http.StatusTooManyRequests {
			t.Fatalf("attacker with a fresh left-most address: got %d, want 429", r.status)
		}
		if r := e.loginVia(t, proxyPeer, "owner@example.com", "X-Forwarded-For", clientB); r.status != http.StatusOK {
			t.Fatalf("B, whose address the attacker wrote: got %d %s, want 200", r.status, r.body)
		}
	})
}

// TestRateLimitKeyedOnConfiguredClientHeader pins BOSANG_CLIENT_IP_HEADER:
// with X-Real-IP configured, the API rate limit counts the client that
// header names, X-Forwarded-For is then ignored, and an untrusted peer is
// counted as itself.
func TestRateLimitKeyedOnConfiguredClientHeader(t *testing.T) {
	e := newTestEnvWith(t, dbtest.NewSQLite(t), func(d *handlers.Deps) {
		d.TrustedProxies = []string{proxyPeer}
		d.ClientIPHeader = "x-real-ip"
		d.RateLimit = handlers.RateLimit{PerSecond: 0.001, Burst: 1, Clients: 100}
	})
	steps := []struct {
		name    string
		peer    string
		headers []string
		want    int
	}{
		{"A's first request", proxyPeer, []string{"X-Real-IP", clientA}, http.StatusOK},
		{"A's second request", proxyPeer, []string{"X-Real-IP", clientA}, http.StatusTooManyRequests},
		{"A naming B in X-Forwarded-For, which is not the configured header", proxyPeer, []string{"X-Real-IP", clientA, "X-Forwarded-For", clientB}, http.StatusTooManyRequests},
		{"B's first request", proxyPeer, []string{"X-Real-IP", clientB}, http.StatusOK},
		{"an untrusted peer's first request, naming A", strangerPeer, []string{"X-Real-IP", clientA}, http.StatusOK},
		{"the untrusted peer again, naming B", strangerPeer, []string{"X-Real-IP", clientB}, http.StatusTooManyRequests},
	}
	for _, s := range steps {
		if r := e.via(t, s.peer, "GET", "/api/v1/outages", nil, s.headers...); r.status != s.want {
			t.Errorf("%s: got %d, want %d", s.name, r.status, s.want)
		}
	}
}

// TestForwardedClientRecordedOnClaim pins the fraud signal's input: a
// claim records the client the trusted proxy names, not the proxy (which
// made every claim look filed in one burst from one address), and a peer
// that is not trusted is recorded as itself.
func TestForwardedClientRecordedOnClaim(t *testing.T) {
	eachEnvWith(t, trusting(proxyNetwork), func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		for _, tt := range []struct {
			who, token, key, peer, want string
		}{
			{"alice through the proxy", f.alice, "via-proxy", proxyPeer, clientA},
			{"bob from an untrusted peer", f.bob, "direct", strangerPeer, strangerPeer},
		} {
			r := e.via(t, tt.peer, "POST", "/api/v1/claims", f.claimBody("driver", 0),
				"Authorization", "Bearer "+tt.token, "Idempotency-Key", tt.key, "X-Forwarded-For", clientA)
			if r.status != http.StatusCreated {
				t.Fatalf("%s: file: got %d %s, want 201", tt.who, r.status, r.body)
			}
			if got := claimClientIP(t, e.db, r.json(t)["id"].(string)); got != tt.want {
				t.Errorf("%s: claim's client address: got %q, want %q", tt.who, got, tt.want)
			}
		}
	})
}

func claimClientIP(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT client_ip FROM claims WHERE id = $1"
	if db.Dialect() == store.SQLite {
		q = "SELECT client_ip FROM claims WHERE id = ?"
	}
	var ip string
	if err := sqlDB.QueryRow(q, id).Scan(&ip); err != nil {
		t.Fatal(err)
	}
	return ip
}

// TestOneFunctionReadsTheClientAddress keeps the handlers from drifting
// back to reading the peer or a forwarding header themselves, which would
// bring back one address for everyone behind a proxy (or a spoofable one).
func TestOneFunctionReadsTheClientAddress(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "client.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{".ClientIP()", ".RemoteIP()", "RemoteAddr", "X-Forwarded-For", "X-Real-IP"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s uses %s: use clientIP or clientAddr (client.go)", f, bad)
			}
		}
	}
}
