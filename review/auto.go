package review

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

// Verdict of the automatic adjudication for one claim.
type Verdict string

// The verdicts.
const (
	AutoApproved Verdict = "approved"
	AutoSampled  Verdict = "sampled" // would be approved, kept for a quality check
	AutoManual   Verdict = "manual"  // the rules do not allow it; a person decides
	AutoSkipped  Verdict = "skipped" // no longer submitted (decided meanwhile)
)

// rules caches the category rules of each policy version for one run.
type rules map[int]map[models.ClaimCategory]policy.CategoryRule

// autoDecide approves a submitted claim without a person when its category's
// rule allows it, the estimate needs no review, the required evidence is
// there and nothing is flagged; a deterministic sample of those goes to
// people instead. Running it twice decides nothing twice.
func (s *Service) autoDecide(ctx context.Context, c *models.Claim, cache rules) (Verdict, error) {
	if c.Status != models.StatusSubmitted {
		return AutoSkipped, nil
	}
	flags, err := s.RefreshFlags(ctx, c)
	if err != nil {
		return "", err
	}
	return s.decideFlagged(ctx, c, flags, cache)
}

// decideFlagged is autoDecide for a submitted claim whose flags are known.
func (s *Service) decideFlagged(ctx context.Context, c *models.Claim, flags []string, cache rules) (Verdict, error) {
	ok, err := s.eligible(ctx, c, flags, cache)
	if err != nil || !ok {
		return AutoManual, err
	}
	if sampled(c.ID, s.settings.SampleBP) {
		return AutoSampled, nil
	}
	err = s.apply(ctx, nil, c, claims.ActAutoApprove, claims.Decision{AmountKRW: c.EstimateAmountKRW, SecondApprovalAboveKRW: s.settings.SecondApprovalAboveKRW},
		DecisionInput{Note: "policy auto-approval"})
	if errors.Is(err, apperr.ErrPreconditionFailed) || errors.Is(err, apperr.ErrConflict) {
		return AutoSkipped, nil // someone acted on it meanwhile
	}
	if err != nil {
		return "", err
	}
	return AutoApproved, nil
}

func (s *Service) eligible(ctx context.Context, c *models.Claim, flags []string, cache rules) (bool, error) {
	if len(flags) > 0 || c.EstimateAmountKRW > s.settings.SecondApprovalAboveKRW {
		return false, nil
	}
	rule, err := s.rule(ctx, c, cache)
	if err != nil || !rule.AutoApprove {
		return false, err
	}
	est, kinds, err := s.store.AutoFacts(ctx, c.ID)
	if err != nil {
		return false, err
	}
	return eligibleWith(c, flags, rule, est, kinds, s.settings), nil
}

// eligibleWith is the whole eligibility rule on facts already read, shared by
// the per-claim and the set-based paths: the category's rule approves
// automatically, the estimate needs no review, the required evidence is there
// (a payout account, or no money asked, stands for the account), nothing is
// flagged and the amount is within the reviewer's authority.
func eligibleWith(c *models.Claim, flags []string, rule policy.CategoryRule, est models.ClaimEstimate, kinds []string, set Settings) bool {
	if len(flags) > 0 || c.EstimateAmountKRW > set.SecondApprovalAboveKRW || !rule.AutoApprove {
		return false
	}
	if !est.Auto || est.ReviewRequired {
		return false
	}
	return len(claims.MissingEvidence(c, rule.Evidence, kinds)) == 0
}

func (s *Service) rule(ctx context.Context, c *models.Claim, cache rules) (policy.CategoryRule, error) {
	if byCat, ok := cache[c.PolicyVersion]; ok {
		return byCat[models.ClaimCategory(c.Category)], nil
	}
	all, err := s.claims.Policies(ctx)
	if err != nil {
		return policy.CategoryRule{}, err
	}
	for _, p := range all {
		cache[p.Version] = p.Categories
	}
	if byCat, ok := cache[c.PolicyVersion]; ok {
		return byCat[models.ClaimCategory(c.Category)], nil
	}
	return policy.CategoryRule{}, fmt.Errorf("policy %d: %w", c.PolicyVersion, apperr.ErrNotFound)
}

// sampled picks a stable share of claims by their id, so a rerun samples the
// same claims.
func sampled(id string, bp int) bool {
	sum := sha256.Sum256([]byte(id))
	return int(binary.BigEndian.Uint32(sum[:4])%10000) < bp
}

// Progress counts what an adjudication run did.
type Progress struct {
	Seen, Approved, Sampled, Manual, Skipped int
}

// Adjudicate runs autoDecide over the submitted claims of an outage (all
// outages when outageID is empty), in pages, reporting progress after each
// page. It stops when ctx ends; rerunning continues where it left off since
// decided claims are no longer submitted.
//
// When the store can decide in sets (PostgreSQL), each page is read with a
// few set queries and its approvals are written in one transaction; see
// adjudicateSets.
func (s *Service) Adjudicate(ctx context.Context, outageID string, report func(Progress)) (Progress, error) {
	if bs, ok := s.store.(BatchStore); ok && bs.SetBased() {
		return s.adjudicateSets(ctx, bs, outageID, report)
	}
	var p Progress
	after := ""
	cache := rules{}
	for {
		page, err := s.store.SubmittedClaims(ctx, outageID, after, 500)
		if err != nil || len(page) == 0 {
			return p, err
		}
		for i := range page {
			c := &page[i]
			if err := ctx.Err(); err != nil {
				return p, err
			}
			v, err := s.autoDecide(ctx, c, cache)
			if err != nil {
				return p, fmt.Errorf("claim %s: %w", c.Number, err)
			}
			p.Seen++
			switch v {
			case AutoApproved:
				p.Approved++
			case AutoSampled:
				p.Sampled++
			case AutoManual:
				p.Manual++
			default:
				p.Skipped++
			}
		}
		after = page[len(page)-1].ID
		if report != nil {
			report(p)
		}
	}
}

// Flag names.
const (
	FlagSharedAccount        = "shared_account"
	FlagSharedPhone          = "shared_phone"
	FlagSharedBusinessNumber = "shared_business_number"
	FlagSharedEvidence       = "shared_evidence"
	FlagBurst                = "burst_from_address"
)

// Flags lists every flag name, for filters.
var Flags = []string{FlagSharedAccount, FlagSharedPhone, FlagSharedBusinessNumber, FlagSharedEvidence, FlagBurst}

// RefreshFlags recomputes and stores a claim's fraud and duplicate signals.
// Flags only inform people: they never reject by themselves.
func (s *Service) RefreshFlags(ctx context.Context, c *models.Claim) ([]string, error) {
	facts, err := s.store.SignalFacts(ctx, c, s.settings.SignalRules())
	if err != nil {
		return nil, err
	}
	flags := s.settings.SignalRules().Signals(facts)
	slices.Sort(flags)
	b, _ := json.Marshal(flags)
	if string(b) != c.Flags {
		if err := s.store.SetFlags(ctx, c.ID, string(b)); err != nil {
			return nil, err
		}
		c.Flags = string(b)
	}
	return flags, nil
}

// AfterFile is the hook run when a claim is filed or gets evidence: it
// refreshes the flags of the claim and of the claims it shares a signal
// with, then tries the automatic adjudication.
func (s *Service) AfterFile(ctx context.Context, claimID string) error {
	c, err := s.store.Claim(ctx, claimID)
	if err != nil {
		return err
	}
	flags, err := s.RefreshFlags(ctx, c)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(flags, func(f string) bool { return f != FlagBurst }) {
		// A shared account, phone, business number or file is news for
		// the other claims too, but only for those whose flags miss it
		// (RelatedClaim.Stale): in a ring of claims on one account, each
		// new claim would otherwise recompute the signals of a hundred
		// others that already hold it. A burst is about the address and
		// is found again when each of those claims is looked at.
		related, err := s.store.Related(ctx, c)
		if err != nil {
			return err
		}
		done := map[string]bool{}
		for _, r := range related {
			if done[r.ID] || !r.Stale() {
				continue
			}
			done[r.ID] = true
			other, err := s.store.Claim(ctx, r.ID)
			if err != nil {
				return err
			}
			if _, err := s.RefreshFlags(ctx, other); err != nil {
				return err
			}
		}
	}
	if c.Status != models.StatusSubmitted {
		return nil
	}
	_, err = s.decideFlagged(ctx, c, flags, rules{})
	return err
}
