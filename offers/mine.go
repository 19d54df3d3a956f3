package offers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
)

// View is an offer as the person it was made to sees it. Status reads
// expired once ExpiresAt has passed, even before the periodic job records
// it; Answerable says the offer still waits for an answer. Settlements are
// the ways the offer can be taken (bank always; bill_credit where the
// provider allows it). PayoutAccount is the account the provider's file
// gave, masked, or nil.
type View struct {
	ID               string        `json:"id"`
	OutageID         string        `json:"outage_id"`
	Provider         string        `json:"provider"`
	Service          string        `json:"service"`
	ServiceEN        string        `json:"service_en"`
	Category         string        `json:"category"`
	Status           Status        `json:"status"`
	Answerable       bool          `json:"answerable"`
	AmountKRW        int64         `json:"amount_krw"`
	ExtensionDays    int           `json:"extension_days"`
	InKind           string        `json:"in_kind"`
	InKindEN         string        `json:"in_kind_en"`
	PolicyVersion    int           `json:"policy_version"`
	Steps            []policy.Step `json:"steps"`
	Settlements      []string      `json:"settlements"`
	PayoutAccount    *AccountView  `json:"payout_account"`
	ExpiresAt        time.Time     `json:"expires_at"`
	ChosenSettlement *string       `json:"chosen_settlement"`
	ClaimID          *string       `json:"claim_id"`
	ActedAt          *time.Time    `json:"acted_at"`
	CreatedAt        time.Time     `json:"created_at"`
}

// AccountView is a payout account with the number and holder masked.
type AccountView struct {
	Bank   string `json:"bank"`
	Number string `json:"number"`
	Holder string `json:"holder"`
}

// The settlements an offer is taken with.
const (
	SettleBank       = "bank"
	SettleBillCredit = "bill_credit"
)

// Mine lists the offers matched to the user: those naming the user's phone
// while it is verified, or the user's e-mail address while it is verified,
// and those the user answered; never otherwise. An unknown user is
// apperr.ErrNotFound.
func (s *Service) Mine(ctx context.Context, userID string) ([]View, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	phone, email := verifiedContacts(u)
	list, err := s.store.OffersFor(ctx, u.ID, phone, email)
	if err != nil {
		return nil, err
	}
	names := map[string]*View{}
	out := make([]View, 0, len(list))
	for i := range list {
		v, err := s.view(ctx, &list[i], names)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Get returns one offer matched to the user (as Mine); any other offer,
// or an unknown id, is apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, userID, id string) (*View, error) {
	_, o, err := s.mine(ctx, s.store, userID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, o, nil)
}

// Link is what the link /offers/{token} shows: the service's name to
// anyone holding the token, the offer only to the person it matches.
type Link struct {
	Service   string
	ServiceEN string
	// Offer is nil unless the viewer is the offer's person.
	Offer *View
}

// ByToken resolves a link token for userID ("" when nobody is logged in):
// an unknown token is apperr.ErrNotFound; otherwise the Link, with the
// offer when it matches the user.
func (s *Service) ByToken(ctx context.Context, userID, token string) (*Link, error) {
	sum := sha256.Sum256([]byte(token))
	o, err := s.store.OfferByToken(ctx, hex.EncodeToString(sum[:]))
	if err != nil {
		return nil, err
	}
	out, err := s.outages.Get(ctx, o.OutageID)
	if err != nil {
		return nil, err
	}
	l := &Link{Service: out.Service.Name, ServiceEN: out.Service.NameEN}
	if userID == "" {
		return l, nil
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if matches(u, o) {
		l.Offer, err = s.view(ctx, o, nil)
	}
	return l, err
}

// mine loads the user and the offer through st and refuses (as not found)
// an offer not matched to the user.
func (s *Service) mine(ctx context.Context, st Store, userID, id string) (*models.User, *models.Offer, error) {
	u, err := st.User(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	o, err := st.Offer(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !matches(u, o) {
		return nil, nil, fmt.Errorf("offer %s: %w", id, apperr.ErrNotFound)
	}
	return u, o, nil
}

// verifiedContacts are the user's phone and e-mail as offers store them,
// each "" unless verified.
func verifiedContacts(u *models.User) (phone, email string) {
	if u.PhoneVerifiedAt != nil {
		phone = NormalizePhone(u.Phone)
	}
	if u.EmailVerifiedAt != nil {
		email = NormalizeEmail(u.Email)
	}
	return phone, email
}

// matches reports whether o is the user's: answered by them, or naming
// their verified phone or e-mail.
func matches(u *models.User, o *models.Offer) bool {
	if o.UserID != nil && *o.UserID == u.ID {
		return true
	}
	phone, email := verifiedContacts(u)
	return (phone != "" && o.Phone == phone) || (email != "" && o.Email == email)
}

// view builds the View of o; names caches outages by id across a list.
func (s *Service) view(ctx context.Context, o *models.Offer, names map[string]*View) (*View, error) {
	v := &View{ID: o.ID, OutageID: o.OutageID, Category: o.Category, Status: Status(o.Status), AmountKRW: o.AmountKRW,
		ExtensionDays: o.ExtensionDays, InKind: o.InKind, InKindEN: o.InKindEN, PolicyVersion: o.PolicyVersion,
		Steps: []policy.Step{}, Settlements: []string{SettleBank}, ExpiresAt: o.ExpiresAt, ClaimID: o.ClaimID,
		ActedAt: o.ActedAt, CreatedAt: o.CreatedAt}
	if o.Settlement == SettleBillCredit {
		v.Settlements = append(v.Settlements, SettleBillCredit)
	}
	if o.ChosenSettlement != "" {
		v.ChosenSettlement = &o.ChosenSettlement
	}
	if o.AccountMasked != "" {
		v.PayoutAccount = &AccountView{Bank: o.Bank, Number: o.AccountMasked, Holder: pii.MaskName(o.Holder)}
	}
	if err := json.Unmarshal([]byte(o.Steps), &v.Steps); err != nil {
		return nil, fmt.Errorf("offer %s steps: %w", o.ID, err)
	}
	if v.Status == Offered && !s.now().Before(o.ExpiresAt) {
		v.Status = Expired
	}
	v.Answerable = v.Status == Offered
	if n, ok := names[o.OutageID]; ok {
		v.Provider, v.Service, v.ServiceEN = n.Provider, n.Service, n.ServiceEN
		return v, nil
	}
	out, err := s.outages.Get(ctx, o.OutageID)
	if err != nil {
		return nil, err
	}
	v.Provider, v.Service, v.ServiceEN = out.ProviderName, out.Service.Name, out.Service.NameEN
	if names != nil {
		names[o.OutageID] = v
	}
	return v, nil
}
