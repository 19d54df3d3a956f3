package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

// OfferTerms is a proactive offer (package offers) as the claim made from
// it needs it: the outage and category it was priced for, the amount with
// the pricing's steps (JSON policy.Step list) and the fee and business
// number the provider's file gave.
type OfferTerms struct {
	OfferID        string
	OutageID       string
	Category       string
	MonthlyFeeKRW  int64
	BusinessNumber string
	AmountKRW      int64
	PolicyVersion  int
	Steps          string
	ExtensionDays  int64
	InKind         string
	InKindEN       string
}

// offerNote is an offer claim's event note, shown on the claim's timeline
// and stored as written: the catalog message id in Korean and English.
func offerNote(id string) string {
	m := apperr.M(id)
	return m.In("ko") + " / " + m.In("en")
}

// OfferClaim is the claim an answer to an offer makes, built and priced
// (reads done) but not stored: InsertOfferClaim stores it inside the
// offer's transaction, which on SQLite's single connection must not read
// anything else.
type OfferClaim struct {
	claim       *models.Claim
	est         policy.Estimate
	why         EstimateReason
	outageStart time.Time
	note        string
	review      bool
}

// ID is the id the claim will have.
func (oc *OfferClaim) ID() string { return oc.claim.ID }

// PrepareApproval builds the approved claim of claimant who accepts the
// offer t: the offer's estimate, approved now. With acct (a bank transfer)
// the claim is monetary, approved at the offer amount and payable in the
// next payout batch, the account sealed and masked; without it (a bill
// credit) the amount is applied on the provider's bill and no transfer is
// owed. An invalid account is a *apperr.ValidationError.
func (s *Service) PrepareApproval(ctx context.Context, claimant *models.User, t OfferTerms, acct *Account) (*OfferClaim, error) {
	var f apperr.Fields
	if acct != nil {
		validateAccount(&f, *acct)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	o, err := s.outage(ctx, t.OutageID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	in := NewClaim{OutageID: t.OutageID, Category: t.Category, Description: offerNote("claims.note.offer_accepted"), Details: offerDetails(t)}
	if acct != nil {
		in.Monetary, in.PayoutAccount = true, *acct
	}
	est := policy.Estimate{AmountKRW: t.AmountKRW, PolicyVersion: t.PolicyVersion, Auto: true,
		ExtensionDays: t.ExtensionDays, InKind: t.InKind, InKindEN: t.InKindEN}
	if err := json.Unmarshal([]byte(t.Steps), &est.Steps); err != nil {
		return nil, fmt.Errorf("offer %s steps: %w", t.OfferID, err)
	}
	c := s.newClaim(claimant, o, in, est, now)
	c.Status, c.DecidedAt = models.StatusApproved, &now
	if acct != nil {
		c.ApprovedAmountKRW = t.AmountKRW
	}
	return &OfferClaim{claim: c, est: est, why: EstimateReason{Code: ReasonOfferAccepted}, outageStart: o.StartedAt, note: offerNote("claims.note.offer_accepted")}, nil
}

// PrepareContest builds the normal claim of claimant who answers the offer
// t with "I lost more": in (as POST /claims, its outage and category taken
// from the offer, the fee and business number filled in when in leaves
// them out) priced by the usual rules, with the offer amount kept as the
// floor of its estimate (a step says so) and a person to decide it. The
// offer's own window governs, so the filing window is not checked. Errors
// are File's.
func (s *Service) PrepareContest(ctx context.Context, claimant *models.User, t OfferTerms, in NewClaim) (*OfferClaim, error) {
	in.OutageID, in.Category = t.OutageID, t.Category
	if in.Details == nil {
		in.Details = map[string]any{}
	}
	for k, v := range offerDetails(t) {
		if _, given := in.Details[k]; !given {
			in.Details[k] = v
		}
	}
	o, cat, p, err := s.checkNew(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	est, err := s.priceNew(ctx, claimant, p, cat, o, in, now)
	if err != nil {
		return nil, err
	}
	est = keepFloor(est, t.AmountKRW)
	return &OfferClaim{claim: s.newClaim(claimant, o, in, est, now), est: est, why: EstimateReason{Code: ReasonOfferContested},
		outageStart: o.StartedAt, note: offerNote("claims.note.offer_contested"), review: true}, nil
}

// InsertOfferClaim stores oc inside tx (the offer's transaction): numbered,
// with its estimate, first event and status message, and for a contest the
// review job. A claim of the claimant for the same outage and category is
// a *DuplicateError (409).
func (s *Service) InsertOfferClaim(ctx context.Context, tx Store, claimant *models.User, oc *OfferClaim) (*View, error) {
	c := oc.claim
	if err := noClaimYet(ctx, tx, claimant.ID, c.OutageID, c.Category); err != nil {
		return nil, err
	}
	now := c.CreatedAt
	var review []*models.OutboxMessage
	if oc.review {
		review = append(review, s.reviewJob(c.ID, "filed", now))
	}
	return s.insertClaim(ctx, tx, claimant, c, oc.est, oc.why, oc.outageStart, oc.note, now, nil, review...)
}

// keepFloor raises est to floor when it is below, always adds the step
// that says the offer amount is kept as the floor, and sends it to review.
func keepFloor(est policy.Estimate, floor int64) policy.Estimate {
	label := apperr.M("claims.step.offer_floor")
	est.Steps = append(est.Steps, policy.Step{Label: label.In("ko"), LabelEN: label.In("en"), Value: estimate.FormatKRW(floor)})
	if est.AmountKRW < floor {
		est.AmountKRW = floor
	}
	// The person says the offer is short: a reviewer decides, never the
	// automatic approval at the floor.
	est.Auto, est.ReviewRequired = false, true
	return est
}

// offerDetails are the claim details the offer fills in.
func offerDetails(t OfferTerms) map[string]any {
	d := map[string]any{"offer_id": t.OfferID}
	if t.MonthlyFeeKRW > 0 {
		d["monthly_fee_krw"] = t.MonthlyFeeKRW
	}
	if t.BusinessNumber != "" {
		d["business_number"] = t.BusinessNumber
	}
	return d
}

// noClaimYet refuses a second claim of claimant for the outage and
// category with a *DuplicateError naming the first; checked before the
// insert so that the transaction stays usable for its error.
func noClaimYet(ctx context.Context, tx Store, claimantID, outageID string, category models.ClaimCategory) error {
	prev, err := tx.ClaimFor(ctx, claimantID, outageID, category)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return &DuplicateError{ClaimID: prev.ID, Number: prev.Number}
}

// insertClaim numbers c and stores it in tx with its estimate, first event
// (with note), status message and the extra messages, and returns its view;
// with key set, the same write answers that idempotency key with what its
// render makes of the view.
func (s *Service) insertClaim(ctx context.Context, tx Store, claimant *models.User, c *models.Claim, est policy.Estimate,
	why EstimateReason, outageStart time.Time, note string, now time.Time, key *answerFor, extra ...*models.OutboxMessage) (*View, error) {
	year := outageStart.In(kst).Year()
	n, err := tx.NextClaimNumber(ctx, year)
	if err != nil {
		return nil, err
	}
	c.Number = fmt.Sprintf("BS-%d-%06d", year, n)
	e := s.estimateRecord(c.ID, est, why, now)
	ev := &models.ClaimEvent{ID: s.newID(), ClaimID: c.ID, Status: c.Status, ActorID: &claimant.ID, Note: note, CreatedAt: now}
	view := viewOf(c, nil, []models.ClaimEvent{*ev}, nil)
	fresh := estimateView(est, why)
	view.Estimate = &fresh
	a, err := s.auditEntry(ctx, fileRecord(c))
	if err != nil {
		return nil, err
	}
	f := Filing{Claim: c, Estimate: e, Event: ev, Outbox: append([]*models.OutboxMessage{s.outboxFor(c, ev)}, extra...), Audit: a}
	if key != nil {
		if f.Answer, err = key.answer(view); err != nil {
			return nil, err
		}
	}
	if err := tx.CreateClaim(ctx, f); err != nil {
		return nil, err
	}
	return view, nil
}
