package handlers

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestClientLimiterBounded: the table never holds more than Clients
// addresses, drops the least recently seen first, and forgets addresses
// idle long enough for their buckets to be full again.
func TestClientLimiterBounded(t *testing.T) {
	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	l := newClientLimiter(RateLimit{PerSecond: 1, Burst: 10, Clients: 3}, func() time.Time { return now }, prometheus.NewRegistry())
	for i := range 1000 {
		l.wait(fmt.Sprintf("198.51.100.%d", i%250))
		if n := l.tracked(); n > 3 {
			t.Fatalf("after %d clients: %d tracked, want at most 3", i+1, n)
		}
	}
	// The least recently seen goes first: a, b, c seen in that order, then
	// a again and d: b is forgotten, a is not (its bucket is still drawn).
	for _, addr := range []string{"a", "b", "c"} {
		l.wait(addr)
	}
	for range 9 {
		l.wait("a")
	}
	l.wait("d")
	if _, ok := l.byAddr["b"]; ok {
		t.Fatal("the least recently seen client is still tracked")
	}
	if d := l.wait("a"); d == 0 {
		t.Fatal("client a kept no history: its 11th request within a second passed")
	}
	// Idle for the time its bucket takes to refill (10 s), a client is
	// forgotten.
	now = now.Add(10 * time.Second)
	l.wait("e")
	if n := l.tracked(); n != 1 {
		t.Fatalf("after 10 idle seconds: %d tracked, want only the new client", n)
	}
	if off := newClientLimiter(RateLimit{}, time.Now, prometheus.NewRegistry()); off != nil {
		t.Fatal("a zero RateLimit is not off")
	}
}
