package contact

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// Sent is what a sent code tells the caller: where it went (masked) and
// until when it works.
type Sent struct {
	Channel   Channel   `json:"channel"`
	To        string    `json:"to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Payload is the payload of a TopicSMS or TopicEmail message. The address
// and the code are sealed (Sealed opens with the key KeyID names, for this
// verification only): neither lies in the clear in the outbox.
type Payload struct {
	VerificationID string    `json:"verification_id"`
	UserID         string    `json:"user_id"`
	Channel        Channel   `json:"channel"`
	ExpiresAt      time.Time `json:"expires_at"`
	Sealed         string    `json:"sealed"`
	KeyID          string    `json:"key_id"`
}

// Code is an opened code message: the payload with the address (the
// phone's digits or the e-mail address) and the code.
type Code struct {
	Payload
	To, Code string
}

type sealedCode struct {
	To   string `json:"to"`
	Code string `json:"code"`
}

func sealContext(id string) string { return "contact-verification:" + id }

// Address returns the user's address on channel as codes and offers
// compare it: a phone's digits, an e-mail address in lower case. A
// missing address or a phone no SMS reaches is a *apperr.ValidationError
// on field channel.
func Address(u *models.User, c Channel) (string, error) {
	if c == Email {
		a := offers.NormalizeEmail(u.Email)
		if !strings.Contains(a, "@") {
			return "", apperr.InvalidMsg("channel", apperr.M("contact.no_email"))
		}
		return a, nil
	}
	p := offers.NormalizePhone(u.Phone)
	switch {
	case p == "":
		return "", apperr.InvalidMsg("channel", apperr.M("contact.no_phone"))
	case !strings.HasPrefix(p, "01") || len(p) < 10 || len(p) > 11:
		return "", apperr.InvalidMsg("channel", apperr.M("contact.not_mobile"))
	}
	return p, nil
}

// Verified reports whether the user's address on channel is proven.
func Verified(u *models.User, c Channel) bool {
	if c == Email {
		return u.EmailVerifiedAt != nil
	}
	return u.PhoneVerifiedAt != nil
}

// errVerified is a code asked for an address proven already.
var errVerified = apperr.ExplainMsg(apperr.ErrConflict, "", apperr.M("contact.verified_already"))

// Send sends the user a new code for channel through the outbox, valid
// for CodeTTL, superseding earlier ones; the code, its message (address
// and code sealed) and the audit entry (user.verification_send) are
// stored in one transaction, the code only as a keyed hash. A bad channel
// or an address that cannot be proven is a *apperr.ValidationError; an
// address proven already, apperr.ErrConflict; a code within ResendGap of
// the last one or past SendsPerHour, *apperr.RateLimited with the wait.
func (s *Service) Send(ctx context.Context, userID, channel string) (*Sent, error) {
	c, err := ParseChannel(channel)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	addr, err := Address(u, c)
	if err != nil {
		return nil, err
	}
	if Verified(u, c) {
		return nil, errVerified
	}
	now := s.now().UTC()
	if err := s.throttle(ctx, userID, now); err != nil {
		return nil, err
	}
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	v := &models.ContactVerification{ID: s.newID(), UserID: userID, Channel: c.String(), Address: addr,
		ExpiresAt: now.Add(CodeTTL), CreatedAt: now}
	v.CodeHash = s.hashCode(v.ID, code)
	m, err := s.message(v, code, now)
	if err != nil {
		return nil, err
	}
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.verification_send", Entity: audit.EntityUser,
		EntityID: userID, SubjectID: userID, Details: map[string]string{"channel": c.String()}}), now, s.newID())
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.CreateVerification(ctx, v, m, entry) }); err != nil {
		return nil, err
	}
	return &Sent{Channel: c, To: Mask(c, addr), ExpiresAt: v.ExpiresAt}, nil
}

// throttle refuses a code within ResendGap of the last or past
// SendsPerHour in the last hour, with the time until one may be sent.
func (s *Service) throttle(ctx context.Context, userID string, now time.Time) error {
	times, err := s.store.VerificationsSince(ctx, userID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	var wait time.Duration
	if n := len(times); n > 0 {
		wait = times[n-1].Add(ResendGap).Sub(now)
		if n >= SendsPerHour {
			wait = max(wait, times[n-SendsPerHour].Add(time.Hour).Sub(now))
		}
	}
	if wait > 0 {
		return &apperr.RateLimited{RetryAfterSeconds: int((wait + time.Second - 1) / time.Second)}
	}
	return nil
}

// message is the outbox message carrying v's code to its address.
func (s *Service) message(v *models.ContactVerification, code string, now time.Time) (*models.OutboxMessage, error) {
	b, err := json.Marshal(sealedCode{To: v.Address, Code: code})
	if err != nil {
		return nil, err
	}
	p := Payload{VerificationID: v.ID, UserID: v.UserID, Channel: Channel(v.Channel), ExpiresAt: v.ExpiresAt}
	p.Sealed, p.KeyID = s.sealer.Seal(string(b), sealContext(v.ID))
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	topic := TopicSMS
	if p.Channel == Email {
		topic = TopicEmail
	}
	return &models.OutboxMessage{ID: s.newID(), Topic: topic, DedupeID: "verify-" + v.ID, Payload: string(payload),
		AvailableAt: now, CreatedAt: now}, nil
}

// OpenMessage reads a TopicSMS or TopicEmail message for the sender: the
// address and the code. A payload it cannot read or open is an error.
func (s *Service) OpenMessage(m models.OutboxMessage) (Code, error) {
	var out Code
	if m.Topic != TopicSMS && m.Topic != TopicEmail {
		return out, fmt.Errorf("outbox message %s: topic %q is not a verification code", m.ID, m.Topic)
	}
	if err := json.Unmarshal([]byte(m.Payload), &out.Payload); err != nil || out.VerificationID == "" {
		return out, fmt.Errorf("verification message %s: payload names no verification", m.ID)
	}
	plain, err := s.sealer.Open(out.Sealed, out.KeyID, sealContext(out.VerificationID))
	if err != nil {
		return out, fmt.Errorf("verification message %s: %w", m.ID, err)
	}
	var sc sealedCode
	if err := json.Unmarshal([]byte(plain), &sc); err != nil {
		return out, fmt.Errorf("verification message %s: %w", m.ID, err)
	}
	out.To, out.Code = sc.To, sc.Code
	return out, nil
}

// Mask shows enough of an address to recognise it: 010-****-5678,
// k***@example.com.
func Mask(c Channel, addr string) string {
	if c == Phone {
		if len(addr) < 8 {
			return "****"
		}
		return addr[:3] + "-****-" + addr[len(addr)-4:]
	}
	local, domain, _ := strings.Cut(addr, "@")
	if local == "" {
		return "***@" + domain
	}
	return local[:1] + "***@" + domain
}
