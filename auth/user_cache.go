package auth

import (
	"context"
	"sync"
	"time"

	"github.com/bosang/bosang/models"
)

// UserCacheMaxAge is how long Authenticate may trust a user it read: the
// most a change it was not told about (a notification lost with the
// listener's connection) can go unseen. README "Access-token checks".
const UserCacheMaxAge = 5 * time.Second

// maxCachedUsers bounds the cache; past it, it starts over.
const maxCachedUsers = 100_000

// UserChanges tells of the users whose rows this process changes (see
// store.DB.OnUserChange).
type UserChanges interface {
	OnUserChange(fn func(id string))
}

// userCache keeps the users that access-token checks read, each for
// maxAge at most. gen moves on with every forget, so a read that raced a
// change is not kept.
type userCache struct {
	mu     sync.Mutex
	users  map[string]cachedUser
	gen    uint64
	maxAge time.Duration
	now    func() time.Time
}

type cachedUser struct {
	u     models.User
	until time.Time
}

// get returns a copy of the cached user id, if fresh, and the generation a
// read of the store started now must pass to put.
func (c *userCache) get(id string) (*models.User, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[id]
	if !ok || !c.now().Before(e.until) {
		return nil, c.gen
	}
	u := e.u
	return &u, c.gen
}

// put keeps a copy of u unless some user was forgotten since gen.
func (c *userCache) put(u *models.User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.users) >= maxCachedUsers {
		c.users = map[string]cachedUser{}
	}
	c.users[u.ID] = cachedUser{u: *u, until: c.now().Add(c.maxAge)}
}

func (c *userCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.users, id)
}

func (c *userCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.users = map[string]cachedUser{}
}

// CacheUsers makes Authenticate keep the users it reads for maxAge at most
// (UserCacheMaxAge when maxAge <= 0), on the service's clock, forgetting
// each one that changes tells of, and the access tokens it verified until
// they expire (on the signer's clock). Changes made by other processes
// reach it through Forget and ForgetAll. Call it before serving.
func (s *Service) CacheUsers(changes UserChanges, maxAge time.Duration) {
	if maxAge <= 0 {
		maxAge = UserCacheMaxAge
	}
	s.users = &userCache{users: map[string]cachedUser{}, maxAge: maxAge, now: s.now}
	s.tokens = &tokenCache{tokens: map[string]*AccessClaims{}}
	changes.OnUserChange(s.Forget)
}

// Forget drops user id from the cache of CacheUsers, if any.
func (s *Service) Forget(id string) {
	if s.users != nil {
		s.users.forget(id)
	}
}

// ForgetAll empties the cache of CacheUsers, if any.
func (s *Service) ForgetAll() {
	if s.users != nil {
		s.users.forgetAll()
	}
}

// user reads user id through the cache, when there is one.
func (s *Service) user(ctx context.Context, id string) (*models.User, error) {
	if s.users == nil {
		return s.store.UserByID(ctx, id)
	}
	u, gen := s.users.get(id)
	if u != nil {
		return u, nil
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.users.put(u, gen)
	return u, nil
}
