package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Token claims values. The audience names the API so that a token minted for
// another purpose with the same key is refused.
const (
	Issuer          = "bosang"
	Audience        = "bosang-api"
	accessTokenType = "access"
	// maxTokenLength refuses absurd Authorization headers before any parsing.
	maxTokenLength = 4096
)

// AccessClaims are the claims of an access token. Version must equal the
// user's token version, so bumping it revokes every token issued before.
type AccessClaims struct {
	jwt.RegisteredClaims
	Type    string `json:"typ"`
	Role    string `json:"role"`
	Version int    `json:"ver"`
}

// Signer issues and verifies HS256 access tokens. Keys are identified by a
// kid so that a new key can be introduced while old tokens still verify.
type Signer struct {
	kid  string
	keys map[string][]byte
	ttl  time.Duration
	now  func() time.Time
}

// NewSigner returns a Signer that signs with key and verifies tokens signed
// with key or any of previous. ttl is capped at 15 minutes.
func NewSigner(key []byte, ttl time.Duration, now func() time.Time, previous ...[]byte) *Signer {
	if ttl <= 0 || ttl > 15*time.Minute {
		ttl = 15 * time.Minute
	}
	s := &Signer{kid: KeyID(key), keys: map[string][]byte{}, ttl: ttl, now: now}
	s.keys[s.kid] = key
	for _, k := range previous {
		s.keys[KeyID(k)] = k
	}
	return s
}

// KeyID derives a key's public identifier from its hash.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:6])
}

// TTL is the lifetime of the access tokens this Signer issues.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Issue returns a signed access token for u.
func (s *Signer) Issue(u *models.User) (string, error) {
	return s.sign(u, Audience, accessTokenType, s.ttl)
}

// sign returns a token for u with audience and type, good for ttl, under
// the current key.
func (s *Signer) sign(u *models.User, audience, typ string, ttl time.Duration) (string, error) {
	now := s.now()
	claims := AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Type:    typ,
		Role:    u.Role.String(),
		Version: u.TokenVersion,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = s.kid
	return t.SignedString(s.keys[s.kid])
}

// Verify checks signature, algorithm, kid, expiry, not-before, issuer,
// audience and token type. Any failure is ErrUnauthenticated; the reason is in
// the wrapped message for logs, never for clients.
func (s *Signer) Verify(token string) (*AccessClaims, error) {
	return s.verify(token, Audience, accessTokenType, "access token")
}

// verify checks a token of the given audience and type as Verify says;
// what names it in the error.
func (s *Signer) verify(token, audience, typ, what string) (*AccessClaims, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, fmt.Errorf("%s length %d: %w", what, len(token), apperr.ErrUnauthenticated)
	}
	claims := &AccessClaims{}
	_, err := jwt.ParseWithClaims(token, claims, s.key,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(audience),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", what, err, apperr.ErrUnauthenticated)
	}
	if claims.Type != typ || claims.Subject == "" {
		return nil, fmt.Errorf("%s type %q: %w", what, claims.Type, apperr.ErrUnauthenticated)
	}
	return claims, nil
}

func (s *Signer) key(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	k, ok := s.keys[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return k, nil
}

// successor derives the refresh token that replaces token when it is
// spent: an HMAC of it under the signing key (domain-separated by a label no
// JWT signing input can contain). Deriving rather than drawing it lets a
// token presented twice within RefreshGrace get the same successor, which is
// stored only as a hash; nobody without the key can compute it. Rotating the
// signing key changes the successor of a token spent just before, so a
// repeat across that moment is taken as reuse.
func (s *Signer) successor(token string) string {
	m := hmac.New(sha256.New, s.keys[s.kid])
	m.Write([]byte("bosang refresh successor\x00"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newOpaqueToken returns a random refresh token and the hash stored for it.
func newOpaqueToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashOpaque(token), nil
}

func hashOpaque(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
