package store

import (
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/bosang/bosang/claims"
)

// DefaultClaimPageCache is how many claim pages a process keeps on
// PostgreSQL unless WithClaimPageCache says otherwise. A decided and paid
// claim's page with three files and two events takes 3.2 KB of memory, so
// some 65 MB of pages like that (a page with more files and events takes
// more); the load tool's fresh claims take 0.7 KB each.
const DefaultClaimPageCache = 20_000

// claimPageMaxAge bounds how long a cached page is trusted on its stamp
// alone. The stamp is a 32-bit transaction id, so a row rewritten some four
// billion transactions later could carry the same one again; ten minutes is
// far inside that at any rate PostgreSQL reaches.
const claimPageMaxAge = 10 * time.Minute

// claimPageCache keeps the claim pages read on PostgreSQL, each with the
// stamp of the claim's row it was read with: the row's xmin, the
// transaction that wrote the row's current version.
//
// Every change to what a page shows changes the claim's row in the same
// transaction: a status, a decision, an estimate, a payment, the flags, a
// lease, and a file since migration 00035 counts them. So while the row
// keeps its xmin, the page read with it is still the page, on every
// instance and whoever wrote: a hit costs a primary-key read of one column
// instead of the page statement and its five sub-lists, and it is never
// staler than that read. A write that forgets to touch the row would leave
// pages stale; TestClaimPageCacheFollowsEveryChange goes through them.
type claimPageCache struct {
	pages        *lru.Cache[string, cachedPage]
	now          func() time.Time
	hits, misses atomic.Uint64
}

type cachedPage struct {
	stamp string
	page  *claims.Page
	at    time.Time
}

// newClaimPageCache keeps up to size pages; size < 1 is no cache (nil).
func newClaimPageCache(size int, now func() time.Time) *claimPageCache {
	if size < 1 {
		return nil
	}
	pages, err := lru.New[string, cachedPage](size)
	if err != nil { // only for a size < 1, refused above
		panic(err)
	}
	return &claimPageCache{pages: pages, now: now}
}

// get returns the page cached for id with its stamp, unless there is none
// or it is older than claimPageMaxAge.
func (c *claimPageCache) get(id string) (cachedPage, bool) {
	e, ok := c.pages.Get(id)
	if !ok || c.now().Sub(e.at) >= claimPageMaxAge {
		return cachedPage{}, false
	}
	return e, true
}

func (c *claimPageCache) put(id, stamp string, p *claims.Page) {
	c.pages.Add(id, cachedPage{stamp: stamp, page: p, at: c.now()})
}

func (c *claimPageCache) forget(id string) { c.pages.Remove(id) }

// ClaimPageCacheStats is what the claim page cache served: Hits were
// answered from it after the stamp check, Misses read the whole page.
// Cached is how many pages it holds. All are zero without a cache.
type ClaimPageCacheStats struct {
	Hits, Misses uint64
	Cached       int
}

// ClaimPageCacheStats reports the claim page cache's counts since Open.
func (db *DB) ClaimPageCacheStats() ClaimPageCacheStats {
	c := db.pages
	if c == nil {
		return ClaimPageCacheStats{}
	}
	return ClaimPageCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Cached: c.pages.Len()}
}
