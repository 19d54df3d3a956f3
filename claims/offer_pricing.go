package claims

import (
	"context"
	"github.com/bosang/bosang/models"
	"time"

	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// PolicyFor returns the published policy that governs an outage that
// started at outageStart, as claims for it are priced; with none in force
// it returns a *apperr.ValidationError on "outage_id". Package offers
// prices a provider's affected accounts with it.
func (s *Service) PolicyFor(ctx context.Context, outageStart time.Time) (policy.Policy, error) {
	return s.policyFor(ctx, outageStart)
}

// PriceAccount prices an account a provider lists as hit by outage o under
// p, exactly as a claim of category cat that states no loss, carries no
// records and gives monthlyFeeKRW (0 = none) is priced, steps included. An
// ongoing outage is priced up to now. It returns Price's errors; a
// merchant, priced on a profile and a loss an account list does not
// carry, is a *apperr.ValidationError on "profile.merchant".
func PriceAccount(p policy.Policy, cat models.ClaimCategory, o *outage.View, monthlyFeeKRW int64, now time.Time) (policy.Estimate, error) {
	details := map[string]any{}
	if monthlyFeeKRW > 0 {
		details["monthly_fee_krw"] = monthlyFeeKRW
	}
	return price(p, cat, o, 0, details, nil, nil, now)
}
