package review

import (
	"fmt"
	"testing"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

func TestEligibleWith(t *testing.T) {
	set := DefaultSettings // second approval above ₩500,000
	rule := policy.CategoryRule{AutoApprove: true, Evidence: []string{"billing", policy.EvidenceAccount}}
	auto := models.ClaimEstimate{Auto: true}
	claim := func(amount int64, monetary bool, masked string) *models.Claim {
		return &models.Claim{EstimateAmountKRW: amount, Monetary: monetary, PayoutNumberMasked: masked}
	}
	manual := rule
	manual.AutoApprove = false
	for _, tc := range []struct {
		name  string
		c     *models.Claim
		flags []string
		rule  policy.CategoryRule
		est   models.ClaimEstimate
		kinds []string
		want  bool
	}{
		{"everything in order", claim(9000, true, "110-***-****89"), nil, rule, auto, []string{"billing"}, true},
		{"exactly the authority limit is approved", claim(set.SecondApprovalAboveKRW, true, "110-***"), nil, rule, auto, []string{"billing"}, true},
		{"₩1 over the authority limit goes to people", claim(set.SecondApprovalAboveKRW+1, true, "110-***"), nil, rule, auto, []string{"billing"}, false},
		{"any flag goes to people", claim(9000, true, "110-***"), []string{FlagBurst}, rule, auto, []string{"billing"}, false},
		{"a rule without automatic approval", claim(9000, true, "110-***"), nil, manual, auto, []string{"billing"}, false},
		{"an estimate that is not automatic", claim(9000, true, "110-***"), nil, rule, models.ClaimEstimate{}, []string{"billing"}, false},
		{"an estimate that needs review", claim(9000, true, "110-***"), nil, rule, models.ClaimEstimate{Auto: true, ReviewRequired: true}, []string{"billing"}, false},
		{"required evidence missing", claim(9000, true, "110-***"), nil, rule, auto, nil, false},
		{"money asked without an account", claim(9000, true, ""), nil, rule, auto, []string{"billing"}, false},
		{"an uploaded bank account stands for the account", claim(9000, true, ""), nil, rule, auto, []string{"billing", "bank_account"}, true},
		{"no money asked needs no account", claim(0, false, ""), nil, rule, auto, []string{"billing"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := eligibleWith(tc.c, tc.flags, tc.rule, tc.est, tc.kinds, set); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSampled(t *testing.T) {
	ids := make([]string, 20000)
	for i := range ids {
		ids[i] = fmt.Sprintf("claim-%d", i)
	}
	t.Run("0 basis points samples nothing, 10000 everything", func(t *testing.T) {
		for _, id := range ids[:200] {
			if sampled(id, 0) || !sampled(id, 10000) {
				t.Fatalf("claim %s: sampled at 0 bp %v, at 10000 bp %v", id, sampled(id, 0), sampled(id, 10000))
			}
		}
	})
	t.Run("a larger share keeps every claim a smaller share sampled", func(t *testing.T) {
		for _, id := range ids {
			if sampled(id, 500) && !sampled(id, 501) {
				t.Fatalf("claim %s sampled at 500 bp but not at 501", id)
			}
		}
	})
	t.Run("500 basis points sample about 5%", func(t *testing.T) {
		n := 0
		for _, id := range ids {
			if sampled(id, 500) {
				n++
			}
		}
		// 20,000 draws at 5%: the standard deviation is about 31.
		if n < 800 || n > 1200 {
			t.Errorf("got %d of %d sampled, want about 1,000", n, len(ids))
		}
	})
}
