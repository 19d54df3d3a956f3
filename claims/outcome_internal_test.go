package claims

import (
	"slices"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
)

var decisionDay = time.Date(2022, 10, 20, 0, 0, 0, 0, time.UTC)

// dec is a decision moving a claim from one status to another at minute m.
func dec(version int, action Action, from, to models.ClaimStatus, amount int64, reason string, m int) models.Decision {
	return models.Decision{ClaimVersion: version, Action: string(action), FromStatus: from, ToStatus: to,
		AmountKRW: amount, ReasonCode: reason, CreatedAt: decisionDay.Add(time.Duration(m) * time.Minute)}
}

// TestOutcomeOf pins which decision is in force.
func TestOutcomeOf(t *testing.T) {
	cases := []struct {
		name     string
		ds       []models.Decision
		decision string // "" for no outcome
		amount   int64
		reason   string
		minute   int
	}{
		{"no decision yet", nil, "", 0, "", 0},
		{"a supplement request decides nothing",
			[]models.Decision{dec(2, ActRequestSupplement, models.StatusUnderReview, models.StatusSupplementRequested, 0, "", 1)}, "", 0, "", 0},
		{"partial approval of ₩2,000",
			[]models.Decision{dec(2, ActPartial, models.StatusUnderReview, models.StatusPartiallyApproved, 2000, "insufficient_evidence", 1)}, DecisionPartial, 2000, "insufficient_evidence", 1},
		{"waiting for the second approval is no outcome yet",
			[]models.Decision{dec(2, ActApprove, models.StatusUnderReview, models.StatusPendingSecondApproval, 600_000, "", 1)}, "", 0, "", 0},
		{"four eyes: the second approval is in force",
			[]models.Decision{dec(2, ActApprove, models.StatusUnderReview, models.StatusPendingSecondApproval, 600_000, "", 1),
				dec(3, ActSecondApprove, models.StatusPendingSecondApproval, models.StatusApproved, 600_000, "", 5)}, DecisionApprove, 600_000, "", 5},
		{"four eyes on a partial approval keeps the first decision's reason",
			[]models.Decision{dec(2, ActPartial, models.StatusUnderReview, models.StatusPendingSecondApproval, 700_000, "substitute_available", 1),
				dec(3, ActSecondApprove, models.StatusPendingSecondApproval, models.StatusPartiallyApproved, 700_000, "", 5)}, DecisionPartial, 700_000, "substitute_available", 5},
		{"a supervisor's rejection of a large approval is ₩0",
			[]models.Decision{dec(2, ActApprove, models.StatusUnderReview, models.StatusPendingSecondApproval, 600_000, "", 1),
				dec(3, ActReject, models.StatusPendingSecondApproval, models.StatusRejected, 600_000, "duplicate", 5)}, DecisionReject, 0, "duplicate", 5},
		{"an appeal pending leaves the rejection in force",
			[]models.Decision{dec(2, ActReject, models.StatusUnderReview, models.StatusRejected, 0, "insufficient_evidence", 1),
				dec(3, ActAppeal, models.StatusRejected, models.StatusAppealed, 0, "", 2)}, DecisionReject, 0, "insufficient_evidence", 1},
		{"the decision on the appeal replaces the first",
			[]models.Decision{dec(2, ActReject, models.StatusUnderReview, models.StatusRejected, 0, "insufficient_evidence", 1),
				dec(3, ActAppeal, models.StatusRejected, models.StatusAppealed, 0, "", 2), dec(5, ActApprove, models.StatusUnderReview, models.StatusApproved, 30_000, "", 9)}, DecisionApprove, 30_000, "", 9},
		{"automatic approval", []models.Decision{dec(1, ActAutoApprove, models.StatusSubmitted, models.StatusApproved, 7550, "", 1)}, DecisionApprove, 7550, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := outcomeOf(tc.ds)
			if tc.decision == "" {
				if o != nil {
					t.Fatalf("got %+v, want no outcome", o)
				}
				return
			}
			if o == nil {
				t.Fatalf("got no outcome, want %s", tc.decision)
			}
			if o.Decision != tc.decision || o.AmountKRW != tc.amount || !o.DecidedAt.Equal(decisionDay.Add(time.Duration(tc.minute)*time.Minute)) {
				t.Errorf("got %s ₩%d at %s, want %s ₩%d at minute %d", o.Decision, o.AmountKRW, o.DecidedAt, tc.decision, tc.amount, tc.minute)
			}
			switch {
			case tc.reason == "" && o.ReasonCode != nil:
				t.Errorf("reason %q, want none", *o.ReasonCode)
			case tc.reason != "" && (o.ReasonCode == nil || *o.ReasonCode != tc.reason || o.ReasonText == nil || *o.ReasonText == tc.reason):
				t.Errorf("reason %v (text %v), want %s with its catalog text", o.ReasonCode, o.ReasonText, tc.reason)
			}
		})
	}
}

func TestReasonText(t *testing.T) {
	if ko, en := ReasonText("insufficient_evidence"); ko != "증빙 부족" || en != "Insufficient evidence" {
		t.Errorf("insufficient_evidence: got %q, %q", ko, en)
	}
	if ko, en := ReasonText("made_up"); ko != "made_up" || en != "made_up" {
		t.Errorf("an unknown code: got %q, %q; want the code itself", ko, en)
	}
}

// TestMissingEvidence pins what counts as having the evidence a policy asks.
func TestMissingEvidence(t *testing.T) {
	merchant := []string{"business_certificate", "sales_records", "account"}
	withAccount := &models.Claim{Monetary: true, PayoutNumberMasked: "110-***-****89"}
	noAccount := &models.Claim{Monetary: true}
	cases := []struct {
		name     string
		c        *models.Claim
		required []string
		uploaded []string
		want     []string
	}{
		{"nothing uploaded, payout account given", withAccount, merchant, nil, []string{"business_certificate", "sales_records"}},
		{"certificate uploaded: sales records missing", withAccount, merchant, []string{"business_certificate", "screenshot"}, []string{"sales_records"}},
		{"everything there", withAccount, merchant, []string{"sales_records", "business_certificate"}, []string{}},
		{"no payout account: proof of account missing", noAccount, merchant, []string{"sales_records", "business_certificate"}, []string{"account"}},
		{"a bank account copy proves the account", noAccount, merchant, []string{"bank_account", "sales_records", "business_certificate"}, []string{}},
		{"no money asked: no account needed", &models.Claim{}, []string{"account"}, nil, []string{}},
		{"nothing required", noAccount, nil, nil, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MissingEvidence(tc.c, tc.required, tc.uploaded); !slices.Equal(got, tc.want) || got == nil {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}
