package auth

import (
	"sync"
	"time"
)

// maxCachedTokens bounds the verified-token cache; past it, it starts over.
const maxCachedTokens = 50_000

// tokenCache remembers the access tokens whose signature, issuer, audience
// and type checked, so that the next request with the same token only has
// its times checked again; each leaves once it expires.
type tokenCache struct {
	mu     sync.Mutex
	tokens map[string]*AccessClaims
}

// get returns the claims of token if it checked before and is still within
// its lifetime at now.
func (c *tokenCache) get(token string, now time.Time) (*AccessClaims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	claims, ok := c.tokens[token]
	if !ok {
		return nil, false
	}
	if !now.Before(claims.ExpiresAt.Time) {
		delete(c.tokens, token)
		return nil, false
	}
	if now.Before(claims.NotBefore.Time) || now.Before(claims.IssuedAt.Time) {
		return nil, false
	}
	return claims, true
}

func (c *tokenCache) put(token string, claims *AccessClaims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tokens) >= maxCachedTokens {
		c.tokens = map[string]*AccessClaims{}
	}
	c.tokens[token] = claims
}

// verify is Signer.Verify through the cache, when CacheUsers made one.
func (s *Service) verify(token string) (*AccessClaims, error) {
	if s.tokens == nil {
		return s.signer.Verify(token)
	}
	if claims, ok := s.tokens.get(token, s.signer.now()); ok {
		return claims, nil
	}
	claims, err := s.signer.Verify(token)
	if err != nil {
		return nil, err
	}
	s.tokens.put(token, claims)
	return claims, nil
}
