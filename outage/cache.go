package outage

import (
	"context"
	"sync"
	"time"
)

// cacheTTL bounds how stale a cached catalogue or outage view may be on an
// instance that did not make the change itself (changes made through this
// instance invalidate at once). One second is invisible to people and takes
// the surge of public page views off the database.
const cacheTTL = time.Second

// cache holds the catalogue and recently built outage views.
type cache struct {
	mu        sync.Mutex
	catalog   []CatalogEntry
	catalogAt time.Time
	views     map[string]cachedView
}

type cachedView struct {
	view *View
	at   time.Time
}

func (c *cache) getCatalog() ([]CatalogEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.catalog, c.catalog != nil && time.Since(c.catalogAt) < cacheTTL
}

func (c *cache) putCatalog(entries []CatalogEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.catalog, c.catalogAt = entries, time.Now()
}

func (c *cache) getView(id string) (*View, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.views[id]
	return v.view, ok && time.Since(v.at) < cacheTTL
}

func (c *cache) putView(v *View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.views == nil || len(c.views) > 10_000 {
		c.views = map[string]cachedView{}
	}
	c.views[v.ID] = cachedView{view: v, at: time.Now()}
}

// invalidate forgets the catalogue, or one outage's view when id is set.
func (c *cache) invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == "" {
		c.catalog, c.views = nil, nil
		return
	}
	delete(c.views, id)
}

// catalogue returns the catalogue, from the cache when it is fresh.
func (s *Service) catalogue(ctx context.Context) ([]CatalogEntry, error) {
	if entries, ok := s.cache.getCatalog(); ok {
		return entries, nil
	}
	entries, err := s.store.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.putCatalog(entries)
	return entries, nil
}
