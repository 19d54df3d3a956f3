package claims

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bosang/bosang/policy"
)

// TestEstimateViewIsTheRecordsView: the view of a claim just filed shows
// the estimate as it was priced (estimateView), and every later read shows
// it from its stored record (estimateOf of estimateRecord). Both must say
// the same, for every part an estimate can have.
func TestEstimateViewIsTheRecordsView(t *testing.T) {
	prev, decided := int64(7_550), int64(5_000)
	steps := []policy.Step{
		{Label: "월 이용료", LabelEN: "Monthly fee", Value: "₩39,000"},
		{Label: "보상액", LabelEN: "Compensation", Value: "₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39", ValueEN: "rounded up"},
	}
	for _, tc := range []struct {
		name string
		est  policy.Estimate
		why  EstimateReason
	}{
		{"no reason code: no reason shown", policy.Estimate{AmountKRW: 7_550, PolicyVersion: 3, Steps: steps, Auto: true}, EstimateReason{}},
		{"filed", policy.Estimate{AmountKRW: 7_550, PolicyVersion: 3, Steps: steps, Auto: true}, EstimateReason{Code: ReasonFiled}},
		{"review required with its reason, provisional amount", policy.Estimate{AmountKRW: 0, PolicyVersion: 1, Steps: steps,
			ReviewRequired: true, ReviewReason: policy.ReasonAboveTopBand}, EstimateReason{Code: ReasonFiled}},
		{"extension and in-kind", policy.Estimate{PolicyVersion: 2, Steps: steps[:1], ExtensionDays: 3, InKind: "이모티콘", InKindEN: "Emoticons"},
			EstimateReason{Code: ReasonOfferContested}},
		{"repriced under a new policy, above the decision", policy.Estimate{AmountKRW: 9_000, PolicyVersion: 4, Steps: steps},
			EstimateReason{Code: ReasonPolicyPublished, PolicyVersion: 4, PolicyName: "2025 개정", PreviousAmountKRW: &prev,
				AboveDecision: true, DecidedAmountKRW: &decided}},
		{"no steps", policy.Estimate{AmountKRW: 1, PolicyVersion: 1}, EstimateReason{Code: ReasonFiled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Service{newID: func() string { return "e1" }}
			stored := estimateOf(*s.estimateRecord("c1", tc.est, tc.why, time.Date(2022, 10, 15, 15, 30, 0, 0, time.UTC)))
			got, want := mustJSON(t, estimateView(tc.est, tc.why)), mustJSON(t, stored)
			if got != want {
				t.Errorf("just filed:\n%s\nread back:\n%s", got, want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
