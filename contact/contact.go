package contact

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// Channel is how an address is proven: a phone by SMS, an e-mail address
// by mail.
type Channel string

// The channels.
const (
	Phone Channel = "phone"
	Email Channel = "email"
)

// ParseChannel returns the channel named s; anything else is a
// *apperr.ValidationError on field channel.
func ParseChannel(s string) (Channel, error) {
	switch c := Channel(s); c {
	case Phone, Email:
		return c, nil
	}
	return "", apperr.InvalidMsg("channel", apperr.M("contact.channel_unknown"))
}

// String returns the channel's name.
func (c Channel) String() string { return string(c) }

// The rules of one-time codes.
const (
	// CodeTTL is how long a code works.
	CodeTTL = 10 * time.Minute
	// MaxAttempts is how many guesses one code allows.
	MaxAttempts = 5
	// ResendGap is the least time between two codes to one account.
	ResendGap = time.Minute
	// SendsPerHour bounds the codes one account is sent in an hour, over
	// both channels: each costs an SMS or a mail to an address.
	SendsPerHour = 5
)

// The outbox topics of codes, in the Messages lane.
const (
	TopicSMS   = "verify.sms"
	TopicEmail = "verify.email"
)

// Store is what the service needs from persistence. Missing rows are
// errors wrapping apperr.ErrNotFound. A write with its audit entry runs
// only inside InTx (store.ErrNoTx otherwise).
type Store interface {
	// InTx runs fn in one transaction: committed if fn returns nil, rolled
	// back otherwise. Every call on the Store given to fn joins it.
	InTx(ctx context.Context, fn func(Store) error) error
	UserByID(ctx context.Context, id string) (*models.User, error)
	// VerificationsSince returns the creation times of the user's codes
	// created at or after since, oldest first.
	VerificationsSince(ctx context.Context, userID string, since time.Time) ([]time.Time, error)
	// LatestVerification returns the user's newest code for channel.
	LatestVerification(ctx context.Context, userID, channel string) (*models.ContactVerification, error)
	// CreateVerification stores v, its outbox message m and the audit
	// entry; it runs only inside InTx (store.ErrNoTx otherwise).
	CreateVerification(ctx context.Context, v *models.ContactVerification, m *models.OutboxMessage, entry *models.AuditEntry) error
	// SpendAttempt counts one guess on the code, atomically, provided it
	// is unverified and has had fewer than max guesses; otherwise
	// apperr.ErrConflict and nothing changes.
	SpendAttempt(ctx context.Context, id string, max int) error
	// MarkVerified sets the code's verified time and the user's
	// phone_verified_at or email_verified_at (by channel) to now and
	// appends entry; it runs only inside InTx (store.ErrNoTx otherwise).
	// A code verified already is apperr.ErrConflict.
	MarkVerified(ctx context.Context, id, userID, channel string, now time.Time, entry *models.AuditEntry) error
}

// Service sends and checks one-time codes.
type Service struct {
	store  Store
	sealer offers.Sealer
	key    []byte
	now    func() time.Time
	newID  func() string
}

// NewService wires a Service. key keys the codes' hashes (derive it from
// the application's secrets, see DeriveKey); sealer seals the address and
// the code in the outbox.
func NewService(store Store, sealer offers.Sealer, key []byte, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, sealer: sealer, key: key, now: now, newID: newID}
}

// DeriveKey derives the key of the codes' hashes from an application
// secret, so that the secret itself keys nothing else here.
func DeriveKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bosang contact verification code v1"))
	return m.Sum(nil)
}

// hashCode is the keyed hash of code for the verification id: the same
// code of two verifications hashes differently.
func (s *Service) hashCode(id, code string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// newCode is six random decimal digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// sameHash compares two hex hashes in constant time.
func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
