package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Store is what auth needs from persistence. Lookups of a missing row return
// an error wrapping apperr.ErrNotFound; a duplicate e-mail, apperr.ErrConflict.
// A write of several rows runs only inside InTx (store.ErrNoTx otherwise):
// the use case owns the transaction, with its audit entry.
type Store interface {
	// InTx runs fn in one transaction: committed if fn returns nil, rolled
	// back otherwise. Every call on the Store given to fn joins it.
	InTx(ctx context.Context, fn func(Store) error) error

	CreateUser(ctx context.Context, u *models.User) error
	UserByEmail(ctx context.Context, email string) (*models.User, error)
	UserByID(ctx context.Context, id string) (*models.User, error)
	// UpdateUserSecurity sets role and password hash and increments the token
	// version, so outstanding access tokens stop working.
	UpdateUserSecurity(ctx context.Context, id string, role models.Role, passwordHash string) error
	// BumpTokenVersion increments the user's token version.
	BumpTokenVersion(ctx context.Context, id string) error

	CreateRefreshToken(ctx context.Context, t *models.RefreshToken) error
	// RotateRefreshToken marks the live token with this hash used and stores
	// next with the used token's user and family, and returns the used
	// token; it runs only inside InTx (store.ErrNoTx otherwise). A token
	// already used or revoked returns the token and an error wrapping
	// ErrTokenReused (next is not stored); an unknown or expired one,
	// ErrNotFound. A rotation that loses a race with another finds the
	// winner's successor stored.
	RotateRefreshToken(ctx context.Context, hash string, next *models.RefreshToken, now time.Time) (*models.RefreshToken, error)
	// RefreshTokenByHash finds a token, live or not; ErrNotFound if unknown.
	RefreshTokenByHash(ctx context.Context, hash string) (*models.RefreshToken, error)
	// RevokeFamily revokes every refresh token of the family and increments
	// the user's token version; it runs only inside InTx (store.ErrNoTx
	// otherwise).
	RevokeFamily(ctx context.Context, userID, familyID string, now time.Time) error
	RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error

	// RecordLoginFailure counts a failure for key within window and returns the
	// failures counted in the current window.
	RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// BlockLogin refuses logins for key until the given time.
	BlockLogin(ctx context.Context, key string, until time.Time) error
	// LoginBlockedUntil returns the end of a block on key, or the zero time.
	LoginBlockedUntil(ctx context.Context, key string) (time.Time, error)
	ClearLoginFailures(ctx context.Context, key string) error

	// EnqueueOnce adds an outbox message unless one with its dedupe id
	// exists already.
	EnqueueOnce(ctx context.Context, m *models.OutboxMessage) error

	// MFAFactor returns the user's second factor, pending or confirmed;
	// ErrNotFound when there is none.
	MFAFactor(ctx context.Context, userID string) (*models.MFAFactor, error)
	// SavePendingMFA stores f as its user's pending factor, replacing a
	// pending one. When the user's factor is confirmed already nothing
	// changes and the error wraps ErrConflict.
	SavePendingMFA(ctx context.Context, f *models.MFAFactor) error
	// ConfirmMFA confirms the user's pending factor, provided its sealed
	// secret is still sealed, with step as its last step, and stores codes;
	// it runs only inside InTx (store.ErrNoTx otherwise). A factor no longer
	// pending with that secret (confirmed meanwhile, replaced, reset) is
	// ErrConflict.
	ConfirmMFA(ctx context.Context, userID, sealed string, step int64, now time.Time, codes []models.MFARecoveryCode) error
	// UseTOTPStep makes step the confirmed factor's last step if it is
	// later than the stored one, atomically; otherwise (a replay, also a
	// concurrent one) ErrConflict.
	UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error
	// UseRecoveryCode spends the user's unused recovery code with this
	// hash, atomically; ErrNotFound when there is none.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error
	// ResetMFA deletes the user's factor and recovery codes, revokes their
	// refresh tokens, increments their token version and appends entry to
	// the audit trail; it runs only inside InTx (store.ErrNoTx otherwise).
	// A missing user is ErrNotFound.
	ResetMFA(ctx context.Context, userID string, now time.Time, entry *models.AuditEntry) error

	// ListUsers returns up to limit accounts: the staff when query is
	// empty, else those whose e-mail or name contains it; and which of
	// them have a confirmed second factor, by id.
	ListUsers(ctx context.Context, query string, limit int) ([]models.User, map[string]bool, error)
	// UpdateUserAccess sets role and disabled time, ends the user's
	// sessions and appends entry; it runs only inside InTx (store.ErrNoTx
	// otherwise). A missing user is ErrNotFound.
	UpdateUserAccess(ctx context.Context, id string, role models.Role, disabledAt *time.Time, now time.Time, entry *models.AuditEntry) error
	// CreateUserAudited is CreateUser with entry appended; it runs only
	// inside InTx (store.ErrNoTx otherwise).
	CreateUserAudited(ctx context.Context, u *models.User, entry *models.AuditEntry) error

	// CreatePasswordReset stores r and its outbox message m; it runs only
	// inside InTx (store.ErrNoTx otherwise).
	CreatePasswordReset(ctx context.Context, r *models.PasswordReset, m *models.OutboxMessage) error
	// PasswordResetByHash finds a reset by its token's hash, live or not;
	// ErrNotFound if unknown.
	PasswordResetByHash(ctx context.Context, hash string) (*models.PasswordReset, error)
	// UsePasswordReset spends the reset (only if unused and unexpired at
	// now, else ErrConflict), sets its user's password hash, spends their
	// other resets, ends their sessions and appends entry; it runs only
	// inside InTx (store.ErrNoTx otherwise).
	UsePasswordReset(ctx context.Context, id, passwordHash string, now time.Time, entry *models.AuditEntry) error
}

// ErrTokenReused marks a refresh token presented a second time.
var ErrTokenReused = errors.New("refresh token reused")

// RefreshGrace is how long after a refresh token is spent that presenting it
// again counts as the same client rather than theft. A browser whose access
// cookie has expired sends the same refresh cookie with every request it has
// in flight; without this window the second request would look like reuse
// and log the user out. Within it, while the successor is unspent, the same
// successor is returned again (with a fresh access token), so the family
// stays one chain: whoever holds a copy still collides with the other
// holder on the next rotation, and that reuse is caught.
const RefreshGrace = 20 * time.Second

// Service is the account use cases of API.md "Accounts".
type Service struct {
	store      Store
	signer     *Signer
	sealer     Sealer
	now        func() time.Time
	newID      func() string
	refreshTTL time.Duration
	throttle   Throttle
	dummyHash  string
	users      *userCache  // see CacheUsers; nil reads every time
	tokens     *tokenCache // see CacheUsers; nil verifies every time
}

// NewService wires a Service. sealer encrypts staff TOTP secrets at rest;
// now and newID are injected for tests. now is also the clock TOTP codes
// are checked against; the signer keeps its own for token lifetimes.
func NewService(store Store, signer *Signer, sealer Sealer, refreshTTL time.Duration, throttle Throttle, now func() time.Time, newID func() string) *Service {
	dummy, _ := HashPassword("bosang-dummy-password-for-timing")
	return &Service{store: store, signer: signer, sealer: sealer, now: now, newID: newID, refreshTTL: refreshTTL, throttle: throttle, dummyHash: dummy}
}

// Pair is the token pair returned by login and refresh.
type Pair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// Login checks credentials. A claimant gets a new token pair; staff never
// do here: they get a Challenge to finish with CompleteMFA (and, while
// they have no confirmed factor, the secret to enrol). Unknown e-mail and
// wrong password give the same ErrUnauthenticated after the same work. Too
// many failures (see Throttle) give *apperr.RateLimited, for this account
// from this client address, for the account from everywhere, or for the
// address, even with the right password.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (*LoginResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := keysFor(email, clientAddr)
	if err := s.checkBlocked(ctx, keys.pair, keys.account, keys.addr); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if ok := CheckPassword(hash, password); !ok || u == nil {
		if err := s.recordFailure(ctx, keys); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("login %s: %w", redactEmail(email), apperr.ErrUnauthenticated)
	}
	if err := s.store.ClearLoginFailures(ctx, keys.pair); err != nil {
		return nil, err
	}
	if err := checkEnabled(u); err != nil {
		return nil, err
	}
	if u.Role.IsStaff() {
		c, err := s.challenge(ctx, u)
		if err != nil {
			return nil, err
		}
		return &LoginResult{Challenge: c}, nil
	}
	p, err := s.issuePair(ctx, u, s.newID())
	if err != nil {
		return nil, err
	}
	return &LoginResult{Pair: p}, nil
}

// issuePair starts a token family for u with a random refresh token.
func (s *Service) issuePair(ctx context.Context, u *models.User, family string) (*Pair, error) {
	token, hash, err := newOpaqueToken()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	rt := &models.RefreshToken{ID: s.newID(), UserID: u.ID, FamilyID: family, TokenHash: hash, ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, err
	}
	return s.pair(u, token)
}

// pair is a fresh access token for u with the given refresh token.
func (s *Service) pair(u *models.User, refresh string) (*Pair, error) {
	access, err := s.signer.Issue(u)
	if err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(s.signer.TTL().Seconds()), RefreshToken: refresh}, nil
}

// Refresh rotates a refresh token: the presented one is spent and a new pair
// returned. The same token presented again within RefreshGrace returns the
// same successor. Presented later (or once the successor is spent), it is
// taken as stolen: the whole family is revoked with every access token the
// user holds (the token version moves on; other sessions renew theirs with
// their own refresh tokens), and ErrUnauthenticated returned, as for an
// unknown, expired or revoked token.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Pair, error) {
	if refreshToken == "" || len(refreshToken) > maxTokenLength {
		return nil, fmt.Errorf("refresh token: %w", apperr.ErrUnauthenticated)
	}
	now := s.now().UTC()
	next := s.signer.successor(refreshToken)
	rt := &models.RefreshToken{ID: s.newID(), TokenHash: hashOpaque(next), ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now}
	var old *models.RefreshToken
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		old, err = tx.RotateRefreshToken(ctx, hashOpaque(refreshToken), rt, now)
		return err
	})
	switch {
	case errors.Is(err, ErrTokenReused):
		return s.presentedAgain(ctx, old, next, now)
	case errors.Is(err, apperr.ErrNotFound):
		return nil, fmt.Errorf("refresh token: %w", apperr.ErrUnauthenticated)
	case err != nil:
		return nil, err
	}
	return s.pairFor(ctx, old.UserID, next)
}

// presentedAgain answers a spent or revoked refresh token: the successor
// again within the grace window, else revocation (see Refresh).
func (s *Service) presentedAgain(ctx context.Context, old *models.RefreshToken, next string, now time.Time) (*Pair, error) {
	if old.RevokedAt != nil {
		return nil, fmt.Errorf("refresh token %s revoked: %w", old.ID, apperr.ErrUnauthenticated)
	}
	if old.UsedAt != nil && now.Sub(*old.UsedAt) <= RefreshGrace {
		succ, err := s.store.RefreshTokenByHash(ctx, hashOpaque(next))
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
		if err == nil && succ.UsedAt == nil && succ.RevokedAt == nil && succ.ExpiresAt.After(now) {
			return s.pairFor(ctx, old.UserID, next)
		}
	}
	err := s.store.InTx(ctx, func(tx Store) error { return tx.RevokeFamily(ctx, old.UserID, old.FamilyID, now) })
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("refresh token %s reused, family and access tokens revoked: %w", old.ID, apperr.ErrUnauthenticated)
}

// pairFor is a new access token for the user with refresh token next.
func (s *Service) pairFor(ctx context.Context, userID, next string) (*Pair, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("refresh for missing user: %w", apperr.ErrUnauthenticated)
	}
	return s.pair(u, next)
}

// Logout revokes the user's refresh tokens and every access token issued
// so far, in one transaction.
func (s *Service) Logout(ctx context.Context, userID string) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.RevokeUserRefreshTokens(ctx, userID, s.now().UTC()); err != nil {
			return err
		}
		return tx.BumpTokenVersion(ctx, userID)
	})
}

// Authenticate returns the user an access token speaks for. It fails with
// ErrUnauthenticated for a bad token, a deleted user, or a token older than
// the user's last logout, password change or role change, or for a
// disabled account. With CacheUsers, the user may come from the cache (see
// there for how fresh).
func (s *Service) Authenticate(ctx context.Context, token string) (*models.User, error) {
	claims, err := s.verify(token)
	if err != nil {
		return nil, err
	}
	u, err := s.user(ctx, claims.Subject)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, fmt.Errorf("token for missing user: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if u.TokenVersion != claims.Version || u.Role.String() != claims.Role {
		return nil, fmt.Errorf("token version %d, user at %d: %w", claims.Version, u.TokenVersion, apperr.ErrUnauthenticated)
	}
	if err := checkEnabled(u); err != nil {
		return nil, err
	}
	return u, nil
}

// redactEmail keeps the domain and the first letter, for logs.
func redactEmail(email string) string {
	at := strings.IndexByte(email, '@')
	if at <= 0 {
		return "***"
	}
	return email[:1] + "***" + email[at:]
}
