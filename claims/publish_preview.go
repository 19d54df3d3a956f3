package claims

import (
	"context"
	"math"

	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// PublishPreview is what publishing a policy would do, before it is done.
type PublishPreview struct {
	// Policy is the policy as it would be published (its version set).
	Policy policy.Policy
	// Previous is the latest version published so far; nil when none.
	Previous *policy.Policy
	// Repriced counts the open claims (those a re-pricing job acts on)
	// whose outage the policy would govern and that are priced under
	// another version today: the claims its re-pricing job would price
	// again.
	Repriced int
}

// PreviewPublish validates p as Publish would and says what publishing it
// would change, storing nothing. An invalid policy is a
// *apperr.ValidationError.
func (s *Service) PreviewPublish(ctx context.Context, p policy.Policy) (PublishPreview, error) {
	all, err := s.loadPolicies(ctx)
	if err != nil {
		return PublishPreview{}, err
	}
	p.Version = 1
	var prev *policy.Policy
	for i := range all {
		if all[i].Version >= p.Version {
			p.Version = all[i].Version + 1
			prev = &all[i]
		}
	}
	if err := p.Validate(); err != nil {
		return PublishPreview{}, err
	}
	n, err := s.countRepriced(ctx, append(all[:len(all):len(all)], p), p.Version)
	if err != nil {
		return PublishPreview{}, err
	}
	return PublishPreview{Policy: p, Previous: prev, Repriced: n}, nil
}

// countRepriced counts the claims a re-pricing job for version would look
// at and price again under policies (see Reprice).
func (s *Service) countRepriced(ctx context.Context, policies []policy.Policy, version int) (int, error) {
	statuses := make([]string, len(RepricedStatuses))
	for i, st := range RepricedStatuses {
		statuses[i] = string(st)
	}
	outages := map[string]*outage.View{}
	n := 0
	for after := ""; ; {
		list, err := s.store.RepricePage(ctx, statuses, after, DefaultRepricePage)
		if err != nil {
			return 0, err
		}
		for _, c := range list {
			if RepriceRule(c.Status, c.ApprovedAmountKRW, math.MaxInt64) == RepriceUntouched || c.PolicyVersion == version {
				continue
			}
			o, ok := outages[c.OutageID]
			if !ok {
				if o, err = s.outages.Get(ctx, c.OutageID); err != nil {
					return 0, err
				}
				outages[c.OutageID] = o
			}
			if p, err := policy.Select(policies, o.StartedAt); err == nil && p.Version == version {
				n++
			}
		}
		if len(list) < DefaultRepricePage {
			return n, nil
		}
		after = list[len(list)-1].ID
	}
}
