package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// PasswordResetTTL is how long a password reset link works.
const PasswordResetTTL = 30 * time.Minute

// TopicPasswordReset is the outbox topic of a password reset e-mail. Its
// payload is a PasswordResetMessage, with the link's token sealed.
const TopicPasswordReset = "account.password_reset"

// resetsPerHour bounds the links one account is sent in an hour, so that
// nobody floods an inbox through the form.
const resetsPerHour = 5

// PasswordResetMessage is the payload of a TopicPasswordReset message.
// The token is sealed (TokenSealed opens with the key KeyID names, for
// this reset only): the outbox is in the database, where the token must
// not lie in the clear.
type PasswordResetMessage struct {
	UserID      string    `json:"user_id"`
	ResetID     string    `json:"reset_id"`
	TokenSealed string    `json:"token_sealed"`
	KeyID       string    `json:"key_id"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// PasswordResetMail is what a reset e-mail says: to whom, the token of
// the link, and until when it works.
type PasswordResetMail struct {
	UserID    string
	Token     string
	ExpiresAt time.Time
}

func resetContext(resetID string) string { return "password-reset:" + resetID }

// RequestPasswordReset sends the owner of email a link to set a new
// password, valid once for PasswordResetTTL, through the outbox; the reset
// and its message are stored in one transaction, the token only as a hash.
// The answer is the same (nil) whether or not the address has an account,
// and for a disabled account or past the hourly limit nothing is sent. A
// malformed address is a *apperr.ValidationError.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") || len(email) > 254 {
		return apperr.InvalidMsg("email", apperr.M("auth.reset_email"))
	}
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return nil
	case err != nil:
		return err
	case u.DisabledAt != nil:
		return nil
	}
	now := s.now().UTC()
	n, err := s.store.RecordLoginFailure(ctx, "reset:"+u.ID, now, time.Hour)
	if err != nil {
		return err
	}
	if n > resetsPerHour {
		return nil
	}
	token, hash, err := newOpaqueToken()
	if err != nil {
		return err
	}
	r := &models.PasswordReset{ID: s.newID(), UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(PasswordResetTTL), CreatedAt: now}
	sealed, keyID := s.sealer.Seal(token, resetContext(r.ID))
	payload, err := json.Marshal(PasswordResetMessage{UserID: u.ID, ResetID: r.ID, TokenSealed: sealed, KeyID: keyID, ExpiresAt: r.ExpiresAt})
	if err != nil {
		return err
	}
	msg := &models.OutboxMessage{ID: s.newID(), Topic: TopicPasswordReset, DedupeID: "password-reset-" + r.ID,
		Payload: string(payload), AvailableAt: now, CreatedAt: now}
	return s.store.InTx(ctx, func(tx Store) error { return tx.CreatePasswordReset(ctx, r, msg) })
}

// OpenPasswordResetMessage reads a TopicPasswordReset message for the
// sender that e-mails it: the recipient, the token and its expiry. A
// payload that does not decode or open is an error.
func (s *Service) OpenPasswordResetMessage(m models.OutboxMessage) (PasswordResetMail, error) {
	var p PasswordResetMessage
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.UserID == "" || p.ResetID == "" {
		return PasswordResetMail{}, fmt.Errorf("password reset message %s: payload names no reset", m.ID)
	}
	token, err := s.sealer.Open(p.TokenSealed, p.KeyID, resetContext(p.ResetID))
	if err != nil {
		return PasswordResetMail{}, fmt.Errorf("password reset message %s: %w", m.ID, err)
	}
	return PasswordResetMail{UserID: p.UserID, Token: token, ExpiresAt: p.ExpiresAt}, nil
}

// errResetLink is a reset token that is unknown, used or expired.
var errResetLink = apperr.InvalidMsg("token", apperr.M("auth.reset_link_dead"))

// CheckPasswordReset reports whether token is a live reset link: nil, or
// the validation error ResetPassword would give.
func (s *Service) CheckPasswordReset(ctx context.Context, token string) error {
	_, err := s.liveReset(ctx, token)
	return err
}

func (s *Service) liveReset(ctx context.Context, token string) (*models.PasswordReset, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, errResetLink
	}
	r, err := s.store.PasswordResetByHash(ctx, hashOpaque(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errResetLink
	}
	if err != nil {
		return nil, err
	}
	if r.UsedAt != nil || !s.now().UTC().Before(r.ExpiresAt) {
		return nil, errResetLink
	}
	return r, nil
}

// ResetPassword sets a new password with a reset link's token: the link
// is spent, every session of the account ends, and the audit entry
// (user.password_reset) is written, in one transaction. A token unknown,
// used or expired, or a password the rules refuse, is a
// *apperr.ValidationError (field token or password).
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	r, err := s.liveReset(ctx, token)
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, r.UserID)
	if err != nil {
		return err
	}
	if m, bad := passwordProblem(password, u.Email); bad {
		return apperr.InvalidMsg("password", m)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.password_reset", Entity: audit.EntityUser,
		EntityID: u.ID, SubjectID: u.ID}), now, s.newID())
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx Store) error { return tx.UsePasswordReset(ctx, r.ID, hash, now, entry) })
	if errors.Is(err, apperr.ErrConflict) { // spent or expired meanwhile
		return errResetLink
	}
	return err
}
