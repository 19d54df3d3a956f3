package claims

import (
	"context"
	"sync"
	"time"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

// Outcome is the decision in force on a claim (API.md "Once they exist"):
// the latest decision that approved, partially approved or rejected it. For
// an approval above the authority limit that is the supervisor's second
// approval; after an appeal, the decision on the appeal.
type Outcome struct {
	// Decision is approve, partial or reject.
	Decision string `json:"decision"`
	// AmountKRW is the amount decided; 0 for a rejection.
	AmountKRW int64 `json:"amount_krw"`
	// ReasonCode is the reason of a reduction or rejection (for a second
	// approval, the first decision's); nil when none was given.
	ReasonCode *string `json:"reason_code"`
	// ReasonText and ReasonTextEN are the reason's text from the catalog
	// in Korean and English; nil without a reason.
	ReasonText   *string   `json:"reason_text"`
	ReasonTextEN *string   `json:"reason_text_en"`
	DecidedAt    time.Time `json:"decided_at"`
	// MissingEvidence lists, for a rejection or reduction for insufficient
	// evidence, the evidence kinds the claim's policy requires for its
	// category that the claim still lacks; empty otherwise.
	MissingEvidence []string `json:"missing_evidence"`
}

// Payment is the transfer that paid a claim: its payout item settled as paid.
type Payment struct {
	AmountKRW int64     `json:"amount_krw"`
	PaidAt    time.Time `json:"paid_at"`
	Reference string    `json:"reference"`
}

// The decisions an Outcome names.
const (
	DecisionApprove = "approve"
	DecisionPartial = "partial"
	DecisionReject  = "reject"
)

// ReasonInsufficientEvidence is the reason code of a claim refused or
// reduced for want of evidence; its outcome names the evidence missing.
const ReasonInsufficientEvidence = "insufficient_evidence"

// outcomeOf is the decision in force among a claim's decisions (oldest
// first), or nil when none approved, partially approved or rejected it.
func outcomeOf(ds []models.Decision) *Outcome {
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		o := &Outcome{AmountKRW: d.AmountKRW, DecidedAt: d.CreatedAt, MissingEvidence: []string{}}
		switch d.ToStatus {
		case models.StatusApproved:
			o.Decision = DecisionApprove
		case models.StatusPartiallyApproved:
			o.Decision = DecisionPartial
		case models.StatusRejected:
			o.Decision, o.AmountKRW = DecisionReject, 0
		default:
			continue
		}
		code := d.ReasonCode
		if code == "" && d.FromStatus == models.StatusPendingSecondApproval {
			// The supervisor confirmed the reviewer's decision and its reason.
			for j := i - 1; j >= 0; j-- {
				if ds[j].ToStatus == models.StatusPendingSecondApproval {
					code = ds[j].ReasonCode
					break
				}
			}
		}
		if code != "" {
			ko, en := ReasonText(code)
			o.ReasonCode, o.ReasonText, o.ReasonTextEN = &code, &ko, &en
		}
		return o
	}
	return nil
}

func paymentOf(it models.PayoutItem) *Payment {
	p := &Payment{AmountKRW: it.AmountKRW, Reference: it.Reference}
	if it.SettledAt != nil {
		p.PaidAt = *it.SettledAt
	}
	return p
}

// catalog is the page catalog, read once: the reason texts come from it so
// that the API and the pages say the same thing.
var catalog = sync.OnceValues(i18n.Load)

// ReasonText returns the Korean and English text of a reason code from the
// catalog ("review.reason.<code>"); an unknown code is its own text.
func ReasonText(code string) (ko, en string) {
	cat, err := catalog()
	if err != nil {
		return code, code
	}
	id := "review.reason." + code
	ko, en = cat.For("ko").T(id), cat.For("en").T(id)
	if ko == id || en == id {
		return code, code
	}
	return ko, en
}

// MissingEvidence lists, in the order of required, the evidence kinds of a
// policy's category rule that claim c lacks, given the kinds of its files.
// The policy's account kind is met by a payout account on the claim, by a
// claim that asks for no money, or by an uploaded bank account copy.
func MissingEvidence(c *models.Claim, required, uploaded []string) []string {
	have := map[string]bool{}
	for _, k := range uploaded {
		have[k] = true
	}
	if c.PayoutNumberMasked != "" || !c.Monetary || have["bank_account"] {
		have[policy.EvidenceAccount] = true
	}
	missing := []string{}
	for _, need := range required {
		if !have[need] {
			missing = append(missing, need)
		}
	}
	return missing
}

// settle fills in the outcome and payment of views, which show list in the
// same order: the decisions and payments of all of them are read in one
// query each, and for claims refused for insufficient evidence, the kinds of
// their files in one more unless kinds (claim id to kinds, which settle
// may add to) already has them.
func (s *Service) settle(ctx context.Context, list []*models.Claim, views []*View, kinds map[string][]string) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	decisions, err := s.store.OutcomeDecisions(ctx, ids...)
	if err != nil {
		return err
	}
	paid, err := s.store.Payments(ctx, ids...)
	if err != nil {
		return err
	}
	return s.settleWith(ctx, list, views, kinds, decisions, paid)
}

// settleWith is settle with the decisions and payments of list read
// already.
func (s *Service) settleWith(ctx context.Context, list []*models.Claim, views []*View, kinds map[string][]string,
	decisions map[string][]models.Decision, paid map[string]models.PayoutItem) error {
	var short []string // refused for insufficient evidence, files not at hand
	for i, c := range list {
		views[i].Outcome = outcomeOf(decisions[c.ID])
		if it, ok := paid[c.ID]; ok {
			views[i].Payment = paymentOf(it)
		}
		if o := views[i].Outcome; o != nil && o.ReasonCode != nil && *o.ReasonCode == ReasonInsufficientEvidence {
			if _, ok := kinds[c.ID]; !ok {
				short = append(short, c.ID)
			}
		}
	}
	if len(short) > 0 {
		more, err := s.store.EvidenceKinds(ctx, short...)
		if err != nil {
			return err
		}
		if kinds == nil {
			kinds = map[string][]string{}
		}
		for _, id := range short {
			kinds[id] = more[id]
		}
	}
	for i, c := range list {
		o := views[i].Outcome
		if o == nil || o.ReasonCode == nil || *o.ReasonCode != ReasonInsufficientEvidence {
			continue
		}
		p, err := s.policyByVersion(ctx, c.PolicyVersion)
		if err != nil {
			return err
		}
		o.MissingEvidence = MissingEvidence(c, p.Categories[models.ClaimCategory(c.Category)].Evidence, kinds[c.ID])
	}
	return nil
}
