package outage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Outbox topics of per-outage e-mail subscriptions.
const (
	// TopicSubscribeConfirm asks a new subscriber to confirm; its payload
	// is a MailPayload.
	TopicSubscribeConfirm = "outage.subscribe_confirm"
	// TopicUpdate tells one confirmed subscriber of an update; its payload
	// is a MailPayload.
	TopicUpdate = "outage.update"
	// TopicFanout is the job, written with an update or correction, that
	// enqueues one TopicUpdate message per subscriber (RunFanout).
	TopicFanout = "outage.fanout"
)

// Sealer encrypts what the outbox must not hold in the clear (the address
// and the link's token); pii.Sealer is one.
type Sealer interface {
	Seal(plaintext, context string) (ciphertext, keyID string)
	Open(ciphertext, keyID, context string) (string, error)
}

// SubscriptionStore is the persistence of subscriptions and their mail.
type SubscriptionStore interface {
	// Subscribe stores sub unless the outage has a subscription for its
	// address already, and says whether it stored it.
	Subscribe(ctx context.Context, sub *models.OutageSubscription) (bool, error)
	SubscriptionByTokenHash(ctx context.Context, hash string) (*models.OutageSubscription, error)
	ConfirmSubscription(ctx context.Context, id string, now time.Time) error
	Unsubscribe(ctx context.Context, id string, now time.Time) error
	// Subscribers lists the confirmed, not unsubscribed subscriptions.
	Subscribers(ctx context.Context, outageID string) ([]models.OutageSubscription, error)
	// EnqueueOnce adds an outbox message unless one with its dedupe id is
	// there already.
	EnqueueOnce(ctx context.Context, m *models.OutboxMessage) error
}

// MailPayload is the payload of TopicSubscribeConfirm and TopicUpdate
// messages: the address and the link's token are sealed (Sealed opens
// with the key KeyID names, for this subscription only), so that neither
// lies in the clear in the outbox or the log.
type MailPayload struct {
	SubscriptionID string `json:"subscription_id"`
	OutageID       string `json:"outage_id"`
	Sealed         string `json:"sealed"`
	KeyID          string `json:"key_id"`
	// Body is the update's text (TopicUpdate); public, as on the page.
	Body string `json:"body,omitempty"`
}

// SubscriptionMail is what a subscription e-mail says: to which address,
// about which outage (its service's name and summary), the token of the
// link and, for an update, its text.
type SubscriptionMail struct {
	Email, Token        string
	OutageID            string
	ServiceName         string
	ServiceNameEN       string
	Summary, UpdateBody string
}

// sealedMail is what MailPayload.Sealed holds.
type sealedMail struct {
	Email string `json:"email"`
	Token string `json:"token"`
}

// fanoutJob is the payload of a TopicFanout job.
type fanoutJob struct {
	OutageID string `json:"outage_id"`
	Body     string `json:"body"`
}

func subscriptionContext(id string) string { return "outage-subscription:" + id }

// HashToken is the SHA-256 (hex) under which a link's token is stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SetSealer enables e-mail subscriptions; without a sealer Subscribe fails.
func (s *Service) SetSealer(sealer Sealer) { s.sealer = sealer }

// Subscribe asks for e-mail about outage id for the address: a new
// subscription is stored unconfirmed and a confirmation mail is queued, in
// one transaction. An address already subscribed changes nothing; the
// answer (nil) is the same either way, so the form tells nobody who is
// subscribed. A malformed address is a *apperr.ValidationError; an unknown
// outage, apperr.ErrNotFound.
func (s *Service) Subscribe(ctx context.Context, outageID, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndex(email, "@")
	if at < 1 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " \t\r\n<>,;\"") {
		return apperr.InvalidMsg("email", apperr.M("outage.email_invalid"))
	}
	if s.sealer == nil {
		return errors.New("outage subscriptions: no sealer")
	}
	if _, err := s.store.Outage(ctx, outageID); err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := s.now().UTC()
	sub := &models.OutageSubscription{ID: s.newID(), OutageID: outageID, Email: email, TokenHash: HashToken(token), CreatedAt: now}
	sub.Sealed, sub.KeyID = s.sealer.Seal(token, subscriptionContext(sub.ID))
	return s.store.InTx(ctx, func(tx Store) error {
		stored, err := tx.Subscribe(ctx, sub)
		if err != nil || !stored {
			return err
		}
		m, err := s.mailMessage(sub, token, TopicSubscribeConfirm, "outage-subscribe-"+sub.ID, "", now)
		if err != nil {
			return err
		}
		return tx.EnqueueOnce(ctx, m)
	})
}

func (s *Service) mailMessage(sub *models.OutageSubscription, token, topic, dedupe, body string, now time.Time) (*models.OutboxMessage, error) {
	secret, _ := json.Marshal(sealedMail{Email: sub.Email, Token: token})
	sealed, keyID := s.sealer.Seal(string(secret), subscriptionContext(sub.ID))
	payload, err := json.Marshal(MailPayload{SubscriptionID: sub.ID, OutageID: sub.OutageID, Sealed: sealed, KeyID: keyID, Body: body})
	if err != nil {
		return nil, err
	}
	return &models.OutboxMessage{ID: s.newID(), Topic: topic, DedupeID: dedupe, Payload: string(payload), AvailableAt: now, CreatedAt: now}, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Subscription is what a link's page shows: the subscription and its outage.
type Subscription struct {
	Sub    models.OutageSubscription
	Outage *View
}

// SubscriptionByToken finds the subscription of a link's token; an unknown
// token is apperr.ErrNotFound. It changes nothing.
func (s *Service) SubscriptionByToken(ctx context.Context, token string) (*Subscription, error) {
	if token == "" || len(token) > 200 {
		return nil, fmt.Errorf("subscription token: %w", apperr.ErrNotFound)
	}
	sub, err := s.store.SubscriptionByTokenHash(ctx, HashToken(token))
	if err != nil {
		return nil, err
	}
	v, err := s.Get(ctx, sub.OutageID)
	if err != nil {
		return nil, err
	}
	return &Subscription{Sub: *sub, Outage: v}, nil
}

// ConfirmSubscription confirms the subscription of token (again is fine).
func (s *Service) ConfirmSubscription(ctx context.Context, token string) error {
	sub, err := s.SubscriptionByToken(ctx, token)
	if err != nil {
		return err
	}
	return s.store.ConfirmSubscription(ctx, sub.Sub.ID, s.now())
}

// Unsubscribe ends the subscription of token (again is fine).
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	sub, err := s.SubscriptionByToken(ctx, token)
	if err != nil {
		return err
	}
	return s.store.Unsubscribe(ctx, sub.Sub.ID, s.now())
}

// fanout is the TopicFanout job telling subscribers of outage id about
// body, written in the caller's transaction; jobID keys its mails.
func (s *Service) fanout(id, jobID, body string, now time.Time) *models.OutboxMessage {
	payload, _ := json.Marshal(fanoutJob{OutageID: id, Body: body})
	return &models.OutboxMessage{ID: jobID, Topic: TopicFanout, DedupeID: "outage-fanout-" + jobID, Payload: string(payload),
		AvailableAt: now, CreatedAt: now}
}

// RunFanout is the job runner's handler of TopicFanout jobs: one
// TopicUpdate message per confirmed, not unsubscribed subscriber, each
// deduplicated on the job and the subscription, so a retried job mails
// nobody twice.
func (s *Service) RunFanout(ctx context.Context, m models.OutboxMessage) error {
	var job fanoutJob
	if err := json.Unmarshal([]byte(m.Payload), &job); err != nil || job.OutageID == "" {
		return fmt.Errorf("outage fan-out %s: payload names no outage", m.ID)
	}
	if s.sealer == nil {
		return errors.New("outage subscriptions: no sealer")
	}
	subs, err := s.store.Subscribers(ctx, job.OutageID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	for i := range subs {
		token, err := s.sealer.Open(subs[i].Sealed, subs[i].KeyID, subscriptionContext(subs[i].ID))
		if err != nil {
			return fmt.Errorf("outage fan-out %s: subscription %s: %w", m.ID, subs[i].ID, err)
		}
		msg, err := s.mailMessage(&subs[i], token, TopicUpdate, "outage-update-"+m.ID+"-"+subs[i].ID, job.Body, now)
		if err != nil {
			return err
		}
		if err := s.store.EnqueueOnce(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}

// OpenMail reads a TopicSubscribeConfirm or TopicUpdate message for the
// notify senders: the address, the link's token, and the outage it is about.
func (s *Service) OpenMail(ctx context.Context, m models.OutboxMessage) (SubscriptionMail, error) {
	var p MailPayload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.SubscriptionID == "" {
		return SubscriptionMail{}, fmt.Errorf("subscription message %s: payload names no subscription", m.ID)
	}
	if s.sealer == nil {
		return SubscriptionMail{}, errors.New("outage subscriptions: no sealer")
	}
	secret, err := s.sealer.Open(p.Sealed, p.KeyID, subscriptionContext(p.SubscriptionID))
	if err != nil {
		return SubscriptionMail{}, fmt.Errorf("subscription message %s: %w", m.ID, err)
	}
	var sm sealedMail
	if err := json.Unmarshal([]byte(secret), &sm); err != nil {
		return SubscriptionMail{}, fmt.Errorf("subscription message %s: %w", m.ID, err)
	}
	rec, err := s.store.Outage(ctx, p.OutageID)
	if err != nil {
		return SubscriptionMail{}, err
	}
	return SubscriptionMail{Email: sm.Email, Token: sm.Token, OutageID: p.OutageID, ServiceName: rec.Service.Name,
		ServiceNameEN: rec.Service.NameEN, Summary: rec.Outage.Summary, UpdateBody: p.Body}, nil
}
