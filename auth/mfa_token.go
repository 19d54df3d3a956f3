package auth

import (
	"time"

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
	return s.sign(u, mfaAudience, mfaTokenType, MFATokenTTL)
}

// verifyMFA checks an mfa_token like Verify checks an access token, with
// the mfa audience and type. Any failure is ErrUnauthenticated.
func (s *Signer) verifyMFA(token string) (*AccessClaims, error) {
	return s.verify(token, mfaAudience, mfaTokenType, "mfa token")
}
