package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// price builds the policy input from the claim, the claimant's profiles and
// any uploaded records, and prices it. An ongoing outage is priced up to now.
func price(p policy.Policy, cat models.ClaimCategory, o *outage.View, claimed int64, details map[string]any,
	profiles map[string]json.RawMessage, points []estimate.Point, now time.Time) (policy.Estimate, error) {
	end := now
	if o.EndedAt != nil {
		end = *o.EndedAt
	}
	in := policy.Input{Category: cat, OutageStart: o.StartedAt, OutageEnd: end, ClaimedKRW: claimed, Points: points, Loc: kst}
	fee, err := monthlyFee(cat, details, profiles)
	if err != nil {
		return policy.Estimate{}, err
	}
	in.MonthlyFeeKRW = fee
	if cat == models.ClaimCategory(ProfileMerchant) {
		var m MerchantProfile
		if raw, ok := profiles[ProfileMerchant]; !ok {
			return policy.Estimate{}, apperr.InvalidMsg("profile.merchant", apperr.M("claims.merchant_profile_missing"))
		} else if err := json.Unmarshal(raw, &m); err != nil {
			return policy.Estimate{}, fmt.Errorf("merchant profile: %w", err)
		}
		if in.Schedule, err = Schedule(m.OpeningHours); err != nil {
			return policy.Estimate{}, err
		}
	}
	if cat == models.ClaimCategory(ProfileDriver) && len(points) > 0 {
		in.Schedule = estimate.EveryDay(estimate.Span{Open: 0, Close: 0})
	}
	return policy.Price(p, in)
}

// monthlyFee finds the fee a category is priced on: details.monthly_fee_krw
// first, then the matching profile.
func monthlyFee(cat models.ClaimCategory, details map[string]any, profiles map[string]json.RawMessage) (int64, error) {
	if v, ok := details["monthly_fee_krw"]; ok {
		f, ok := wholeWon(v)
		if !ok || f < 0 || f > 10_000_000 {
			return 0, apperr.InvalidMsg("details.monthly_fee_krw", apperr.M("claims.details_monthly_fee_range"))
		}
		return f, nil
	}
	var doc struct {
		MonthlyFeeKRW int64      `json:"monthly_fee_krw"`
		Membership    Membership `json:"membership"`
	}
	switch cat {
	case models.CategoryDriver:
		if raw, ok := profiles[ProfileDriver]; ok && json.Unmarshal(raw, &doc) == nil {
			return doc.Membership.MonthlyFeeKRW, nil
		}
	case models.CategoryPaidSubscriber, models.CategoryPartnerBusiness:
		if raw, ok := profiles[string(cat)]; ok && json.Unmarshal(raw, &doc) == nil {
			return doc.MonthlyFeeKRW, nil
		}
	}
	return 0, nil
}

// policyTTL bounds how long another instance's new policy may go unseen
// here; a policy published through this instance is seen at once.
const policyTTL = time.Second

// policyCache keeps the parsed policies between requests.
type policyCache struct {
	mu   sync.Mutex
	list []policy.Policy
	at   time.Time
}

// policies returns every published policy, from the cache when fresh.
func (s *Service) policies(ctx context.Context) ([]policy.Policy, error) {
	s.cache.mu.Lock()
	list, fresh := s.cache.list, s.cache.list != nil && time.Since(s.cache.at) < policyTTL
	s.cache.mu.Unlock()
	if fresh {
		return list, nil
	}
	list, err := s.loadPolicies(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	s.cache.list, s.cache.at = list, time.Now()
	s.cache.mu.Unlock()
	return list, nil
}

func (s *Service) forgetPolicies() {
	s.cache.mu.Lock()
	s.cache.list = nil
	s.cache.mu.Unlock()
}

// loadPolicies reads and parses every published policy.
func (s *Service) loadPolicies(ctx context.Context) ([]policy.Policy, error) {
	recs, err := s.store.Policies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]policy.Policy, 0, len(recs))
	for _, r := range recs {
		var p policy.Policy
		if err := json.Unmarshal([]byte(r.Rules), &p); err != nil {
			return nil, fmt.Errorf("policy %d: %w", r.Version, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// EnsureDefaultPolicy publishes policy.Default() as version 1 when no policy
// exists, so the portal can price claims from its first start.
func (s *Service) EnsureDefaultPolicy(ctx context.Context) error {
	recs, err := s.store.Policies(ctx)
	if err != nil || len(recs) > 0 {
		return err
	}
	err = s.store.CreatePolicy(ctx, record(policy.Default(), nil, s.now()))
	if err != nil && !isConflict(err) { // another instance published it first
		return err
	}
	return nil
}

func isConflict(err error) bool { return err != nil && errors.Is(err, apperr.ErrConflict) }

func record(p policy.Policy, by *string, now time.Time) *models.PolicyRecord {
	rules, _ := json.Marshal(p)
	return &models.PolicyRecord{Version: p.Version, Name: p.Name, EffectiveFrom: p.EffectiveFrom.UTC(), Rules: string(rules), CreatedBy: by, CreatedAt: now.UTC()}
}

func (s *Service) policyFor(ctx context.Context, outageStart time.Time) (policy.Policy, error) {
	all, err := s.policies(ctx)
	if err != nil {
		return policy.Policy{}, err
	}
	p, err := policy.Select(all, outageStart)
	if err != nil {
		return policy.Policy{}, apperr.InvalidMsg("outage_id", apperr.M("claims.no_policy"))
	}
	return p, nil
}

func (s *Service) policyByVersion(ctx context.Context, version int) (policy.Policy, error) {
	all, err := s.policies(ctx)
	if err != nil {
		return policy.Policy{}, err
	}
	for _, p := range all {
		if p.Version == version {
			return p, nil
		}
	}
	return policy.Policy{}, fmt.Errorf("policy %d: %w", version, apperr.ErrNotFound)
}

// Policies lists every published policy, oldest first.
func (s *Service) Policies(ctx context.Context) ([]policy.Policy, error) { return s.policies(ctx) }

// Publish adds a new policy version. It is validated; its version is the
// next number whatever the input says; published policies are never
// changed. One transaction stores it, its audit entry and the durable
// re-pricing job (TopicReprice) that re-prices, off the request, the claims
// whose outage it may now govern. It returns the policy and the queued job.
// An invalid policy is a *apperr.ValidationError; a version taken by a
// concurrent publication ErrConflict.
func (s *Service) Publish(ctx context.Context, admin *models.User, p policy.Policy) (policy.Policy, RepriceJob, error) {
	all, err := s.loadPolicies(ctx) // fresh: the next version number depends on it
	if err != nil {
		return p, RepriceJob{}, err
	}
	p.Version = 1
	for _, q := range all {
		p.Version = max(p.Version, q.Version+1)
	}
	if err := p.Validate(); err != nil {
		return p, RepriceJob{}, err
	}
	now := s.now().UTC()
	job := RepriceJob{ID: s.newID(), PolicyVersion: p.Version}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreatePolicy(ctx, record(p, &admin.ID, now)); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, job.message(now)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, audit.Record{ActorID: admin.ID, ActorRole: admin.Role.String(), Action: "policy.publish",
			Entity: audit.EntityPolicy, EntityID: strconv.Itoa(p.Version),
			Details: map[string]any{"name": p.Name, "effective_from": p.EffectiveFrom.UTC(), "reprice_job_id": job.ID}})
	})
	if err != nil {
		return p, RepriceJob{}, err
	}
	s.forgetPolicies()
	return p, job, nil
}

// repriceOne prices c again under p (with records when given) and stores the
// new estimate for why, superseding the old one, with its audit entry in one
// transaction.
func (s *Service) repriceOne(ctx context.Context, c *models.Claim, p policy.Policy, o *outage.View, points []estimate.Point, why EstimateReason) error {
	var details map[string]any
	_ = json.Unmarshal([]byte(c.Details), &details)
	profiles, err := s.profileMap(ctx, c.ClaimantID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	est, err := price(p, models.ClaimCategory(c.Category), o, c.ClaimedAmountKRW, details, profiles, points, now)
	if err != nil {
		return err
	}
	e := s.estimateRecord(c.ID, est, why, now)
	a, err := s.auditEntry(ctx, audit.Record{Action: "claim.reprice", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID,
		Details: map[string]any{"policy_version": e.PolicyVersion, "amount_krw": e.AmountKRW}})
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error { return tx.ReplaceEstimate(ctx, e, now, a) })
}

// wholeWon reads a whole number of won from a decoded JSON value or a Go
// integer.
func wholeWon(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case int:
		return int64(n), true
	case int64:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
