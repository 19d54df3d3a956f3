package offers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/records"
)

// priceKey is what an account's price depends on, the outage and policy
// being fixed for an import.
type priceKey struct {
	category models.ClaimCategory
	fee      int64
}

// priced is one priceKey's estimate with its steps as stored, or the
// reason the row cannot be offered.
type priced struct {
	est       policy.Estimate
	steps     string
	reason    apperr.Message
	rejectCol string
}

// pricer prices an import's rows with the outage's policy, as claims are
// priced (claims.PriceAccount), computing each (category, fee) once: a
// million rows hold a few hundred distinct ones.
type pricer struct {
	p     policy.Policy
	o     *outage.View
	now   time.Time
	cache map[priceKey]*priced
}

func newPricer(p policy.Policy, o *outage.View, now time.Time) *pricer {
	return &pricer{p: p, o: o, now: now, cache: map[priceKey]*priced{}}
}

// price returns the row's estimate, or the problem that keeps it from
// being offered as a *records.LineError.
func (pr *pricer) price(a records.Account) (*priced, *records.LineError) {
	k := priceKey{models.ClaimCategory(a.Category), a.MonthlyFeeKRW}
	r, ok := pr.cache[k]
	if !ok {
		r = pr.compute(k)
		if len(pr.cache) < 100_000 {
			pr.cache[k] = r
		}
	}
	if r.rejectCol != "" {
		return nil, a.FailMsg(r.rejectCol, r.reason)
	}
	return r, nil
}

func (pr *pricer) compute(k priceKey) *priced {
	est, err := claims.PriceAccount(pr.p, k.category, pr.o, k.fee, pr.now)
	var ve *apperr.ValidationError
	switch {
	case errors.As(err, &ve) && hasField(ve, "details.monthly_fee_krw"):
		return &priced{rejectCol: "monthly_fee_krw", reason: apperr.M("offers.price_fee_needed")}
	case err != nil:
		return &priced{rejectCol: "category", reason: apperr.M("offers.price_not_priced")}
	case est.ReviewRequired:
		return &priced{rejectCol: "category", reason: apperr.M("offers.price_review_needed")}
	case est.AmountKRW == 0 && est.ExtensionDays == 0 && est.InKind == "":
		return &priced{rejectCol: "category", reason: apperr.M("offers.price_nothing")}
	}
	steps, _ := json.Marshal(est.Steps)
	return &priced{est: est, steps: string(steps)}
}

// offerFor builds the offer for a valid, priced row and returns it with
// its link token (only the token's SHA-256 is kept). Cash to be paid by
// bank transfer waits for the person (offered); in-kind items, extensions
// and bill credits are granted at once.
func (s *Service) offerFor(imp *models.OfferImport, a records.Account, r *priced, now, expires time.Time) (models.Offer, string) {
	o := models.Offer{ID: s.newID(), OutageID: imp.OutageID, ImportID: imp.ID, AccountRef: a.Ref, Category: a.Category,
		Name: a.Name, Phone: NormalizePhone(a.Phone), Email: NormalizeEmail(a.Email), MonthlyFeeKRW: a.MonthlyFeeKRW,
		Settlement: a.Settlement, AmountKRW: r.est.AmountKRW, ExtensionDays: int(r.est.ExtensionDays),
		InKind: r.est.InKind, InKindEN: r.est.InKindEN, PolicyVersion: r.est.PolicyVersion, Steps: r.steps,
		Status: string(Offered), ExpiresAt: expires, Version: 1, CreatedAt: now, UpdatedAt: now}
	if a.BusinessNumber != "" {
		o.BusinessNumber = pii.FormatBusinessNumber(a.BusinessNumber)
	}
	if a.AccountNumber != "" {
		number := pii.NormalizeAccount(a.AccountNumber)
		o.Bank, o.Holder = a.Bank, a.Holder
		o.AccountSealed, o.AccountKeyID = s.sealer.Seal(number, o.ID)
		o.AccountMasked = pii.MaskAccount(number)
	}
	if r.est.AmountKRW == 0 || a.Settlement == records.SettlementBillCredit {
		o.Status = string(Granted)
	}
	token := newToken()
	o.TokenHash = TokenHash(token)
	return o, token
}

// newToken returns an unguessable link token: 32 random bytes, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is the SHA-256 (hex) of a link token, as offers keep it.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// announcements are the outbox messages that announce a new offer: an SMS
// when it has a phone, an e-mail when it has an address, each with the
// address and the token sealed and a dedupe id of its own.
func (s *Service) announcements(o *models.Offer, token string, v *outage.View) []models.OutboxMessage {
	p := MessagePayload{OfferID: o.ID, OutageID: o.OutageID, Provider: v.ProviderName, Service: v.Service.Name,
		ServiceEN: v.Service.NameEN, Status: Status(o.Status), AmountKRW: o.AmountKRW, ExtensionDays: o.ExtensionDays,
		InKind: o.InKind, InKindEN: o.InKindEN, ExpiresAt: o.ExpiresAt}
	var out []models.OutboxMessage
	add := func(topic, prefix, to string) {
		b, _ := json.Marshal(SealMessage(s.sealer, p, to, token))
		out = append(out, models.OutboxMessage{ID: s.newID(), Topic: topic, DedupeID: prefix + o.ID, Payload: string(b),
			AvailableAt: o.CreatedAt, CreatedAt: o.CreatedAt})
	}
	if o.Phone != "" {
		add(TopicSMS, "offer-sms-", o.Phone)
	}
	if o.Email != "" {
		add(TopicEmail, "offer-email-", o.Email)
	}
	return out
}

func hasField(ve *apperr.ValidationError, field string) bool {
	_, ok := ve.Fields[field]
	return ok
}
