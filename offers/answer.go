package offers

import (
	"context"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// AcceptInput is the body of an acceptance (API.md POST
// /offers/{id}/accept). PayoutAccount may be left out for a bank transfer
// when the provider's file gave the account.
type AcceptInput struct {
	Settlement    string          `json:"settlement"`
	PayoutAccount *claims.Account `json:"payout_account"`
}

// ExpiredError is an answer to an offer whose acceptance window closed.
type ExpiredError struct{ At time.Time }

func (e *ExpiredError) Error() string { return "offer expired at " + e.At.UTC().Format(time.RFC3339) }

// Unwrap makes an ExpiredError an apperr.ErrConflict (409).
func (e *ExpiredError) Unwrap() error { return apperr.ErrConflict }

// Code names the error in the API's body.
func (e *ExpiredError) Code() string { return "offer_expired" }

// Fields says when the window closed, in Korea time.
func (e *ExpiredError) Fields() map[string]apperr.Message {
	at := e.At.In(kst).Format("2006-01-02 15:04 KST")
	return map[string]apperr.Message{"offer": apperr.M("offers.expired", map[string]any{"at": at})}
}

var kst = time.FixedZone("KST", 9*3600)

// Accept takes the offer id for the user under the idempotency key (taken
// beforehand with claims.Service.BeginRequest): in one transaction the
// approved claim (claims.Service.PrepareApproval), the offer moved to
// accepted with the claim, the user and the settlement, the audit entry
// and the key's answer, what render makes of the offer's view (the caller's
// transport supplies it; Accept returns the answer with the view). An offer
// not matched to the user
// is apperr.ErrNotFound; past its window *ExpiredError; already answered,
// or the user already holding a claim for the outage and category,
// apperr.ErrConflict; a bad settlement or account *apperr.ValidationError.
func (s *Service) Accept(ctx context.Context, userID, id, key string, in AcceptInput, render Render) (*View, claims.Answer, error) {
	u, o, names, err := s.answerable(ctx, userID, id)
	if err != nil {
		return nil, claims.Answer{}, err
	}
	acct, err := s.payoutAccount(o, in)
	if err != nil {
		return nil, claims.Answer{}, err
	}
	oc, err := s.claims.PrepareApproval(ctx, u, terms(o), acct)
	if err != nil {
		return nil, claims.Answer{}, err
	}
	claimID := oc.ID()
	var out *View
	var answer claims.Answer
	err = s.store.InTx(ctx, func(tx Store) error {
		if _, err := s.claims.InsertOfferClaim(ctx, tx.Claims(), u, oc); err != nil {
			return err
		}
		if out, err = s.answer(ctx, tx, u, o, ActAccept, in.Settlement, &claimID, names); err != nil {
			return err
		}
		if answer, err = render(out); err != nil {
			return fmt.Errorf("answer of idempotency key %s: %w", key, err)
		}
		return tx.Claims().FinishKey(ctx, u.ID, key, answer.Status, string(answer.Body))
	})
	if err != nil {
		return nil, claims.Answer{}, err
	}
	return out, answer, nil
}

// Render makes the answer an accepted offer stores under its request's
// idempotency key from the offer's view; the transport supplies it.
type Render func(*View) (claims.Answer, error)

// Decline turns the offer down for the user, audited. Errors are Accept's.
func (s *Service) Decline(ctx context.Context, userID, id string) (*View, error) {
	u, o, names, err := s.answerable(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var out *View
	err = s.store.InTx(ctx, func(tx Store) error {
		out, err = s.answer(ctx, tx, u, o, ActDecline, "", nil, names)
		return err
	})
	return out, err
}

// Contest answers the offer with "I lost more": in one transaction the
// claim in (as POST /claims; outage and category from the offer) priced by
// the usual rules with the offer amount as its floor
// (claims.Service.PrepareContest), paid into the account in gives or else
// the one the provider's file gave, and the offer moved to contested with
// the claim, audited. It returns the claim. Errors are Accept's, and the
// claim's validation errors.
func (s *Service) Contest(ctx context.Context, userID, id string, in claims.NewClaim) (*claims.View, error) {
	u, o, names, err := s.answerable(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	in.Monetary = true
	if in.PayoutAccount == (claims.Account{}) && o.AccountSealed != "" {
		acct, err := s.importedAccount(o)
		if err != nil {
			return nil, err
		}
		in.PayoutAccount = *acct
	}
	oc, err := s.claims.PrepareContest(ctx, u, terms(o), in)
	if err != nil {
		return nil, err
	}
	claimID := oc.ID()
	var c *claims.View
	err = s.store.InTx(ctx, func(tx Store) error {
		if c, err = s.claims.InsertOfferClaim(ctx, tx.Claims(), u, oc); err != nil {
			return err
		}
		_, err = s.answer(ctx, tx, u, o, ActContest, "", &claimID, names)
		return err
	})
	return c, err
}

// answerable loads the user's offer, refuses one past its window, and
// reads what its view needs (names), all before the answer's transaction:
// on SQLite's one connection the transaction reads nothing outside it.
// The offer's version guards against an answer given meanwhile.
func (s *Service) answerable(ctx context.Context, userID, id string) (*models.User, *models.Offer, map[string]*View, error) {
	u, o, err := s.mine(ctx, s.store, userID, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if Status(o.Status) == Offered && !s.now().Before(o.ExpiresAt) {
		return nil, nil, nil, &ExpiredError{At: o.ExpiresAt}
	}
	names := map[string]*View{}
	if _, err := s.view(ctx, o, names); err != nil {
		return nil, nil, nil, err
	}
	return u, o, names, nil
}

// answer moves o by action for u (through Next), guarded by its version,
// with the audit entry, and returns its view (names from answerable).
func (s *Service) answer(ctx context.Context, tx Store, u *models.User, o *models.Offer, action Action, settlement string, claimID *string, names map[string]*View) (*View, error) {
	to, err := Next(Status(o.Status), action)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	o.Status, o.UserID, o.ClaimID, o.ChosenSettlement, o.ActedAt = string(to), &u.ID, claimID, settlement, &now
	o.Version, o.UpdatedAt = o.Version+1, now
	if err := tx.UpdateOffer(ctx, o); err != nil {
		return nil, err
	}
	details := map[string]any{"outage_id": o.OutageID, "amount_krw": o.AmountKRW}
	if claimID != nil {
		details["claim_id"] = *claimID
	}
	if settlement != "" {
		details["settlement"] = settlement
	}
	if err := s.appendAudit(ctx, tx, audit.Record{ActorID: u.ID, ActorRole: u.Role.String(), Action: "offer." + string(action),
		Entity: audit.EntityOffer, EntityID: o.ID, SubjectID: u.ID, Details: details}); err != nil {
		return nil, err
	}
	return s.view(ctx, o, names)
}

func (s *Service) appendAudit(ctx context.Context, to audit.Appender, r audit.Record) error {
	e, err := audit.Build(audit.FromContext(ctx, r), s.now(), s.newID())
	if err != nil {
		return err
	}
	return to.AppendAudit(ctx, e)
}

// payoutAccount checks the settlement and returns the account to pay
// into: nil for a bill credit, the body's, or else the imported one.
func (s *Service) payoutAccount(o *models.Offer, in AcceptInput) (*claims.Account, error) {
	switch {
	case in.Settlement == SettleBillCredit && o.Settlement == SettleBillCredit:
		return nil, nil
	case in.Settlement == SettleBillCredit:
		return nil, apperr.InvalidMsg("settlement", apperr.M("offers.bank_only"))
	case in.Settlement != SettleBank:
		return nil, apperr.InvalidMsg("settlement", apperr.M("offers.settlement_missing"))
	case in.PayoutAccount != nil && *in.PayoutAccount != (claims.Account{}):
		return in.PayoutAccount, nil
	case o.AccountSealed != "":
		return s.importedAccount(o)
	}
	return &claims.Account{}, nil // validated (and refused) by the claim
}

// terms is the offer as package claims needs it.
func terms(o *models.Offer) claims.OfferTerms {
	return claims.OfferTerms{OfferID: o.ID, OutageID: o.OutageID, Category: o.Category, MonthlyFeeKRW: o.MonthlyFeeKRW,
		BusinessNumber: o.BusinessNumber, AmountKRW: o.AmountKRW, PolicyVersion: o.PolicyVersion, Steps: o.Steps,
		ExtensionDays: int64(o.ExtensionDays), InKind: o.InKind, InKindEN: o.InKindEN}
}

// importedAccount opens the account the provider's file gave.
func (s *Service) importedAccount(o *models.Offer) (*claims.Account, error) {
	number, err := s.sealer.Open(o.AccountSealed, o.AccountKeyID, AccountContext(o.ID))
	if err != nil {
		return nil, fmt.Errorf("offer %s account: %w", o.ID, err)
	}
	return &claims.Account{Bank: o.Bank, Number: number, Holder: o.Holder}, nil
}

// AccountContext is the sealing context of an offer's imported account
// number: the offer's id, as a claim's account is sealed under the claim's
// id. The import seals with it (pii.Sealer.Seal(number, offerID)),
// acceptance opens with it.
func AccountContext(offerID string) string { return offerID }
