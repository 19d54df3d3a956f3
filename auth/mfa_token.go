package auth

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// MFATokenTTL is how long a staff member has, after the password, to give
// the second factor.
const MFATokenTTL = 5 * time.Minute

// The mfa_token is a JWT under the access-token key with its own audience
// and type: Verify (and so Authenticate) refuses it, and verifyMFA refuses
// an access token, so neither opens the other's door.
const (
	mfaAudience  = "bosang-mfa"
	mfaTokenType = "mfa"
)

// issueMFA returns an mfa_token for u, good for MFATokenTTL and only while
// u's token version is the one it names.
func (s *Signer) issueMFA(u *models.User) (string, error) {
	now := s.now()
	claims := AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{mfaAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(MFATokenTTL)),
		},
		Type:    mfaTokenType,
		Role:    u.Role.String(),
		Version: u.TokenVersion,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = s.kid
	return t.SignedString(s.keys[s.kid])
}

// verifyMFA checks an mfa_token like Verify checks an access token, with
// the mfa audience and type. Any failure is ErrUnauthenticated.
func (s *Signer) verifyMFA(token string) (*AccessClaims, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, fmt.Errorf("mfa token length %d: %w", len(token), apperr.ErrUnauthenticated)
	}
	claims := &AccessClaims{}
	_, err := jwt.ParseWithClaims(token, claims, s.key,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(mfaAudience),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, fmt.Errorf("mfa token: %v: %w", err, apperr.ErrUnauthenticated)
	}
	if claims.Type != mfaTokenType || claims.Subject == "" {
		return nil, fmt.Errorf("mfa token type %q: %w", claims.Type, apperr.ErrUnauthenticated)
	}
	return claims, nil
}
