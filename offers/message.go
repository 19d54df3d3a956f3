package offers

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/bosang/bosang/models"
)

// The outbox topics of offer announcements: one message per channel, so
// that a failed SMS is retried without mailing again.
const (
	TopicSMS   = "offer.sms"
	TopicEmail = "offer.email"
)

// MessagePayload is the payload of TopicSMS and TopicEmail messages. The
// address and the link's token are sealed (Sealed opens with the key KeyID
// names, for this offer only), so neither lies in the clear in the outbox
// or the log; the rest is what the message says.
type MessagePayload struct {
	OfferID       string    `json:"offer_id"`
	OutageID      string    `json:"outage_id"`
	Provider      string    `json:"provider"`
	Service       string    `json:"service"`
	ServiceEN     string    `json:"service_en"`
	Status        Status    `json:"status"`
	AmountKRW     int64     `json:"amount_krw"`
	ExtensionDays int       `json:"extension_days,omitempty"`
	InKind        string    `json:"in_kind,omitempty"`
	InKindEN      string    `json:"in_kind_en,omitempty"`
	ExpiresAt     time.Time `json:"expires_at"`
	Sealed        string    `json:"sealed"`
	KeyID         string    `json:"key_id"`
}

// Message is an opened offer announcement: the payload with the address
// (To: digits of a phone for TopicSMS, an e-mail address for TopicEmail)
// and the token of the link /offers/{token}.
type Message struct {
	MessagePayload
	To, Token string
}

// sealedMessage is what MessagePayload.Sealed holds.
type sealedMessage struct {
	To    string `json:"to"`
	Token string `json:"token"`
}

// Sealer encrypts what the outbox must not hold in the clear; pii.Sealer
// is one.
type Sealer interface {
	Seal(plaintext, context string) (ciphertext, keyID string)
	Open(ciphertext, keyID, context string) (string, error)
}

func messageContext(offerID string) string { return "offer-message:" + offerID }

// SealMessage returns p with to and token sealed into it.
func SealMessage(sealer Sealer, p MessagePayload, to, token string) MessagePayload {
	b, _ := json.Marshal(sealedMessage{To: to, Token: token})
	p.Sealed, p.KeyID = sealer.Seal(string(b), messageContext(p.OfferID))
	return p
}

// OpenMessage reads an offer announcement with sealer.
func OpenMessage(sealer Sealer, m models.OutboxMessage) (Message, error) {
	var out Message
	if m.Topic != TopicSMS && m.Topic != TopicEmail {
		return out, fmt.Errorf("outbox message %s: topic %q is not an offer announcement", m.ID, m.Topic)
	}
	if err := json.Unmarshal([]byte(m.Payload), &out.MessagePayload); err != nil {
		return out, fmt.Errorf("offer message %s: %w", m.ID, err)
	}
	plain, err := sealer.Open(out.Sealed, out.KeyID, messageContext(out.OfferID))
	if err != nil {
		return out, fmt.Errorf("offer message %s: %w", m.ID, err)
	}
	var sm sealedMessage
	if err := json.Unmarshal([]byte(plain), &sm); err != nil {
		return out, fmt.Errorf("offer message %s: %w", m.ID, err)
	}
	out.To, out.Token = sm.To, sm.Token
	return out, nil
}
