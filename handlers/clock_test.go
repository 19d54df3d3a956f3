package handlers_test

import (
	"sync"
	"time"
)

// harnessStart is where every test server's clock starts: a fixed instant
// (10:00 in Seoul), so that a test computes its expected amounts, windows
// and deadlines from a time it knows.
var harnessStart = time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)

// testClock is a settable clock: the business clock of a test server (the
// domain services, the store and the router read it), or a rate limit's.
// It stands still until a test advances it. Safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: harnessStart} }

// now reads the clock.
func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// advance moves the clock on by d.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
