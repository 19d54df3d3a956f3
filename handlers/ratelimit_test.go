package handlers_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/store/dbtest"
)

// TestRateLimitPerClient: a client over its API rate gets 429 with
// Retry-After until its bucket refills, and is given exactly what refilled;
// another client, and the pages, are not affected.
func TestRateLimitPerClient(t *testing.T) {
	clk := &testClock{t: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)}
	e := newTestEnvWith(t, dbtest.NewSQLite(t), func(d *handlers.Deps) {
		d.RateLimit = handlers.RateLimit{PerSecond: 1.0 / 3600, Burst: 3, Clients: 100} // one an hour, three at once
		d.Now = clk.now
	})
	a, b := e.from(t, "127.0.0.2"), e.from(t, "127.0.0.3")
	get := func(c *http.Client, path string) *http.Response {
		t.Helper()
		resp, err := c.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 3 {
		if r := get(a, "/api/v1/services"); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d within the burst: got %d, want 200", i+1, r.StatusCode)
		}
	}
	r := get(a, "/api/v1/services")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "3600" {
		t.Fatalf("over the burst: got %d with Retry-After %q, want 429 with 3600", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := get(b, "/api/v1/services"); r.StatusCode != http.StatusOK {
		t.Fatalf("another client: got %d, want 200", r.StatusCode)
	}
	if r := get(a, "/"); r.StatusCode != http.StatusOK {
		t.Fatalf("a page from the limited client: got %d, want 200", r.StatusCode)
	}
	clk.advance(30 * time.Minute)
	r = get(a, "/api/v1/services")
	if secs, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.StatusCode != http.StatusTooManyRequests || secs != 1800 {
		t.Fatalf("half-way: got %d with Retry-After %q, want 429 with 1800 (refused requests take nothing)", r.StatusCode, r.Header.Get("Retry-After"))
	}
	clk.advance(30 * time.Minute)
	if r := get(a, "/api/v1/services"); r.StatusCode != http.StatusOK {
		t.Fatalf("after an hour: got %d, want 200", r.StatusCode)
	}
	if r := get(a, "/api/v1/services"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the hour's one request spent: got %d, want 429", r.StatusCode)
	}
}
