package store

import (
	"testing"
	"time"

	"github.com/bosang/bosang/claims"
)

// TestClaimPageCacheBounds: no cache below one page; past its size the
// least recently used page goes; a page is trusted on its stamp until just
// before claimPageMaxAge, and not at it.
func TestClaimPageCacheBounds(t *testing.T) {
	if c := newClaimPageCache(0, time.Now); c != nil {
		t.Fatal("a cache of 0 pages: want none")
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := newClaimPageCache(2, func() time.Time { return now })
	for _, id := range []string{"a", "b"} {
		c.put(id, "1", &claims.Page{})
	}
	c.get("a") // a is now the most recently used
	c.put("c", "1", &claims.Page{})
	for id, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, ok := c.get(id); ok != want {
			t.Errorf("page %s cached: %v; want %v", id, ok, want)
		}
	}
	put := now
	now = put.Add(claimPageMaxAge - time.Nanosecond)
	if e, ok := c.get("c"); !ok || e.stamp != "1" {
		t.Errorf("just before the age limit: %v %q; want the page", ok, e.stamp)
	}
	now = put.Add(claimPageMaxAge)
	if _, ok := c.get("c"); ok {
		t.Error("at the age limit: want no page")
	}
}
