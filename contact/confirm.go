package contact

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
)

var codePattern = regexp.MustCompile(`^[0-9]{6}$`)

// The answers to a code that does not prove the address, all on field
// code.
var (
	errCodeFormat   = apperr.InvalidMsg("code", apperr.M("contact.code_format"))
	errNoCode       = apperr.InvalidMsg("code", apperr.M("contact.code_none"))
	errCodeExpired  = apperr.InvalidMsg("code", apperr.M("contact.code_expired"))
	errCodeSpent    = apperr.InvalidMsg("code", apperr.M("contact.code_spent"))
	errCodeWrong    = apperr.InvalidMsg("code", apperr.M("contact.code_wrong"))
	errAddressMoved = apperr.InvalidMsg("code", apperr.M("contact.address_moved"))
)

// Confirm proves the user's address on channel with code: the newest code
// sent on that channel, unexpired, with fewer than MaxAttempts guesses,
// to the address the account still names. Then the account's
// phone_verified_at or email_verified_at is set with the audit entry
// (user.contact_verify), in one transaction. Every guess counts against
// the code before it is compared, so parallel guesses cannot exceed the
// limit. A bad channel or any failure to prove is a
// *apperr.ValidationError (field channel or code); an address proven
// already is apperr.ErrConflict.
func (s *Service) Confirm(ctx context.Context, userID, channel, code string) error {
	c, err := ParseChannel(channel)
	if err != nil {
		return err
	}
	code = strings.TrimSpace(code)
	if !codePattern.MatchString(code) {
		return errCodeFormat
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if Verified(u, c) {
		return errVerified
	}
	v, err := s.store.LatestVerification(ctx, userID, c.String())
	if errors.Is(err, apperr.ErrNotFound) {
		return errNoCode
	}
	if err != nil {
		return err
	}
	now := s.now().UTC()
	switch {
	case v.VerifiedAt != nil:
		return errNoCode
	case !now.Before(v.ExpiresAt):
		return errCodeExpired
	}
	if err := s.store.SpendAttempt(ctx, v.ID, MaxAttempts); errors.Is(err, apperr.ErrConflict) {
		return errCodeSpent
	} else if err != nil {
		return err
	}
	if !sameHash(v.CodeHash, s.hashCode(v.ID, code)) {
		return errCodeWrong
	}
	if addr, err := Address(u, c); err != nil || addr != v.Address {
		return errAddressMoved
	}
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.contact_verify", Entity: audit.EntityUser,
		EntityID: userID, SubjectID: userID, Details: map[string]string{"channel": c.String()}}), now, s.newID())
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx Store) error { return tx.MarkVerified(ctx, v.ID, userID, c.String(), now, entry) })
	if errors.Is(err, apperr.ErrConflict) {
		return errVerified
	}
	return err
}
