package auth

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// Sealer encrypts TOTP secrets at rest. Seal binds the ciphertext to
// context, and Open refuses it under any other; pii.Sealer is one.
type Sealer interface {
	Seal(plaintext, context string) (ciphertext, keyID string)
	Open(ciphertext, keyID, context string) (string, error)
}

// Challenge is a staff login's answer in place of tokens (API.md "Roles"):
// the mfa_token to present with a code to CompleteMFA, and, while the
// account has no confirmed factor, the Enrolment to add to an
// authenticator app.
type Challenge struct {
	MFARequired bool       `json:"mfa_required"`
	MFAToken    string     `json:"mfa_token"`
	ExpiresIn   int        `json:"expires_in"`
	Enrolment   *Enrolment `json:"enrolment,omitempty"`
}

// LoginResult is what Login gives: a token pair for a claimant, a
// Challenge for staff. Exactly one is set.
type LoginResult struct {
	Pair      *Pair
	Challenge *Challenge
}

// MFAResult is a finished staff login: the token pair, and on the login
// that confirmed the factor the recovery codes, shown this once.
type MFAResult struct {
	Pair
	RecoveryCodes []string     `json:"recovery_codes,omitempty"`
	User          *models.User `json:"-"`
}

// maxCodeLength refuses absurd codes before any work; a recovery code is 19
// characters as shown.
const maxCodeLength = 64

// secretContext binds a sealed TOTP secret to its user: copied onto another
// account's row it does not open.
func secretContext(userID string) string { return "mfa-secret:" + userID }

// mfaKey is the throttle key of wrong codes for a user.
func mfaKey(userID string) string { return "mfa:" + userID }

// challenge starts the second step of u's login. Without a confirmed
// factor, a fresh secret replaces any pending one (a secret shown at an
// earlier, unfinished login is worthless after this one) and is returned
// for enrolment.
func (s *Service) challenge(ctx context.Context, u *models.User) (*Challenge, error) {
	f, err := s.store.MFAFactor(ctx, u.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	c := &Challenge{MFARequired: true, ExpiresIn: int(MFATokenTTL.Seconds())}
	if f == nil || f.ConfirmedAt == nil {
		en, err := newEnrolment(u.Email)
		if err != nil {
			return nil, err
		}
		sealed, keyID := s.sealer.Seal(en.Secret, secretContext(u.ID))
		now := s.now().UTC()
		err = s.store.SavePendingMFA(ctx, &models.MFAFactor{UserID: u.ID, SecretSealed: sealed, SecretKeyID: keyID, CreatedAt: now, UpdatedAt: now})
		switch {
		case err == nil:
			c.Enrolment = &en
		case !errors.Is(err, apperr.ErrConflict): // a conflict: confirmed meanwhile, so no enrolment
			return nil, err
		}
	}
	if c.MFAToken, err = s.signer.issueMFA(u); err != nil {
		return nil, err
	}
	return c, nil
}

// Challenge describes the live challenge of an mfa_token again, the
// pending enrolment included: for a form shown again after a wrong code.
// A bad, expired or superseded token is ErrUnauthenticated.
func (s *Service) Challenge(ctx context.Context, mfaToken string) (*Challenge, error) {
	u, err := s.mfaUser(ctx, mfaToken)
	if err != nil {
		return nil, err
	}
	f, err := s.store.MFAFactor(ctx, u.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, fmt.Errorf("challenge without a factor: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	c := &Challenge{MFARequired: true, MFAToken: mfaToken, ExpiresIn: int(MFATokenTTL.Seconds())}
	if f.ConfirmedAt == nil {
		secret, err := s.sealer.Open(f.SecretSealed, f.SecretKeyID, secretContext(u.ID))
		if err != nil {
			return nil, fmt.Errorf("open the TOTP secret of %s: %w", u.ID, err)
		}
		en, err := enrolmentOf(u.Email, secret)
		if err != nil {
			return nil, err
		}
		c.Enrolment = &en
	}
	return c, nil
}

// CompleteMFA finishes a staff login: the mfa_token from Login and a TOTP
// code or an unused recovery code. The first good TOTP code confirms a
// pending factor, and the result then carries the new recovery codes.
// A bad, expired or superseded token, a wrong code and a code used before
// are all ErrUnauthenticated; wrong codes are counted per user and, past
// the throttle's free failures, make the user wait (*apperr.RateLimited,
// even for a right code) with delays that double up to its maximum.
func (s *Service) CompleteMFA(ctx context.Context, mfaToken, code string) (*MFAResult, error) {
	u, err := s.mfaUser(ctx, mfaToken)
	if err != nil {
		return nil, err
	}
	key := mfaKey(u.ID)
	if err := s.checkBlocked(ctx, key); err != nil {
		return nil, err
	}
	codes, err := s.checkCode(ctx, u, strings.TrimSpace(code))
	if errors.Is(err, apperr.ErrUnauthenticated) {
		if ferr := s.recordMFAFailure(ctx, key); ferr != nil {
			return nil, ferr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return nil, err
	}
	p, err := s.issuePair(ctx, u, s.newID())
	if err != nil {
		return nil, err
	}
	return &MFAResult{Pair: *p, RecoveryCodes: codes, User: u}, nil
}

// mfaUser is the staff member an mfa_token speaks for, as long as their
// token version (logout, password, role or factor change) has not moved.
func (s *Service) mfaUser(ctx context.Context, mfaToken string) (*models.User, error) {
	claims, err := s.signer.verifyMFA(mfaToken)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, claims.Subject)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, fmt.Errorf("mfa token for missing user: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if u.TokenVersion != claims.Version || !u.Role.IsStaff() {
		return nil, fmt.Errorf("mfa token version %d, user at %d: %w", claims.Version, u.TokenVersion, apperr.ErrUnauthenticated)
	}
	return u, nil
}

// checkCode accepts code for u's factor and spends it: a TOTP code's step
// becomes the last step (confirming a pending factor, which returns its new
// recovery codes), a recovery code is marked used. Anything not accepted is
// ErrUnauthenticated.
func (s *Service) checkCode(ctx context.Context, u *models.User, code string) ([]string, error) {
	wrong := fmt.Errorf("second factor of %s: %w", u.ID, apperr.ErrUnauthenticated)
	if code == "" || len(code) > maxCodeLength {
		return nil, wrong
	}
	f, err := s.store.MFAFactor(ctx, u.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, wrong
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if f.ConfirmedAt != nil && !looksLikeTOTP(code) {
		return nil, spent(s.store.UseRecoveryCode(ctx, u.ID, hashRecoveryCode(code), now), wrong)
	}
	secret, err := s.sealer.Open(f.SecretSealed, f.SecretKeyID, secretContext(u.ID))
	if err != nil {
		return nil, fmt.Errorf("open the TOTP secret of %s: %w", u.ID, err)
	}
	step, ok := matchTOTP(secret, code, now, f.LastStep)
	if !ok {
		return nil, wrong
	}
	if f.ConfirmedAt != nil {
		return nil, spent(s.store.UseTOTPStep(ctx, u.ID, step, now), wrong)
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	rows := make([]models.MFARecoveryCode, len(hashes))
	for i, h := range hashes {
		rows[i] = models.MFARecoveryCode{ID: s.newID(), UserID: u.ID, CodeHash: h, CreatedAt: now}
	}
	err = s.store.InTx(ctx, func(tx Store) error { return tx.ConfirmMFA(ctx, u.ID, f.SecretSealed, step, now, rows) })
	if err := spent(err, wrong); err != nil {
		return nil, err
	}
	return codes, nil
}

// spent maps the store's answer to spending a code: a code already spent
// (a conflict) or unknown (not found) is the wrong-code error.
func spent(err, wrong error) error {
	if errors.Is(err, apperr.ErrConflict) || errors.Is(err, apperr.ErrNotFound) {
		return wrong
	}
	return err
}

// recordMFAFailure counts a wrong code against key and makes it wait as a
// login pair waits after its failures (Throttle.PairWait): with the
// default throttle 5 free tries, then 30 s doubling up to 15 minutes, about
// a hundred guesses a day at most for whoever already holds the password.
func (s *Service) recordMFAFailure(ctx context.Context, key string) error {
	now := s.now()
	n, err := s.store.RecordLoginFailure(ctx, key, now, s.throttle.PairWindow)
	if err != nil {
		return err
	}
	if wait := s.throttle.PairWait(n); wait > 0 {
		return s.store.BlockLogin(ctx, key, now.Add(wait))
	}
	return nil
}

// ResetMFA removes a staff member's second factor and recovery codes, for
// a lost phone: their sessions and mfa_tokens end, and their next login
// enrols afresh. The audit entry (action user.reset_mfa, the actor from
// ctx) is written in the same transaction. A missing user is ErrNotFound.
func (s *Service) ResetMFA(ctx context.Context, email string) (*models.User, error) {
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	return u, s.resetMFA(ctx, u)
}

// resetMFA is ResetMFA of a user found already.
func (s *Service) resetMFA(ctx context.Context, u *models.User) error {
	now := s.now().UTC()
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.reset_mfa", Entity: audit.EntityUser,
		EntityID: u.ID, SubjectID: u.ID}), now, s.newID())
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error { return tx.ResetMFA(ctx, u.ID, now, entry) })
}

// enrolmentOf is the Enrolment of an existing base32 secret for account.
func enrolmentOf(account, secret string) (Enrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return Enrolment{}, fmt.Errorf("stored TOTP secret: %w", err)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: "Bosang", AccountName: account, Period: totpPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: k.Secret(), URI: k.URL()}, nil
}
