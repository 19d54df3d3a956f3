package outage

import (
	"context"
	"errors"
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
	// gen counts invalidations: a view built from a read that began before
	// one is neither cached nor shared with requests that came after it.
	gen uint64
	// loads are the views being built, one per outage and generation, so
	// that the many requests that find a view expired at the same moment
	// wait for one read instead of each reading the outage.
	loads map[loadKey]*viewLoad
}

type loadKey struct {
	id  string
	gen uint64
}

// viewLoad is one read of an outage's view that other requests wait for.
type viewLoad struct {
	done chan struct{}
	view *View
	err  error
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

// loadView returns the fresh cached view of id, or else the view load
// builds, read once however many requests ask meanwhile.
func (c *cache) loadView(ctx context.Context, id string, load func(context.Context) (*View, error)) (*View, error) {
	c.mu.Lock()
	if v, ok := c.views[id]; ok && time.Since(v.at) < cacheTTL {
		c.mu.Unlock()
		return v.view, nil
	}
	key := loadKey{id, c.gen}
	l, running := c.loads[key]
	if !running {
		if c.loads == nil {
			c.loads = map[loadKey]*viewLoad{}
		}
		l = &viewLoad{done: make(chan struct{})}
		c.loads[key] = l
	}
	c.mu.Unlock()
	if running {
		select {
		case <-l.done:
			return l.view, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l.err = errViewLoad // what waiters get should load panic
	defer c.finish(key, l)
	// The read outlives a waiter that gives up, and the one that started it.
	l.view, l.err = load(context.WithoutCancel(ctx))
	return l.view, l.err
}

var errViewLoad = errors.New("outage view: the read failed")

// finish ends load l: its view is cached unless an invalidation came
// since it began, and its waiters get its result.
func (c *cache) finish(key loadKey, l *viewLoad) {
	c.mu.Lock()
	delete(c.loads, key)
	if l.err == nil && key.gen == c.gen {
		c.putViewLocked(l.view)
	}
	c.mu.Unlock()
	close(l.done)
}

func (c *cache) putViewLocked(v *View) {
	if c.views == nil || len(c.views) > 10_000 {
		c.views = map[string]cachedView{}
	}
	c.views[v.ID] = cachedView{view: v, at: time.Now()}
}

// invalidate forgets the catalogue, or one outage's view when id is set.
func (c *cache) invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
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
