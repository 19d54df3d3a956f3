package claims

import (
	"encoding/json"

	"github.com/bosang/bosang/policy"
)

// EstimateView is one estimate of a claim with why it was worked out. The
// fields of policy.Estimate appear at the top level of its JSON.
type EstimateView struct {
	policy.Estimate
	// Reason is null for estimates made before reasons were recorded.
	Reason *EstimateReason `json:"reason"`
}

// EstimateReasonCode names what caused a pricing.
type EstimateReasonCode string

// The causes of a pricing.
const (
	// ReasonFiled: priced when the claim was filed.
	ReasonFiled EstimateReasonCode = "filed"
	// ReasonRecordsUploaded: priced again from sales or trip records the
	// claimant uploaded.
	ReasonRecordsUploaded EstimateReasonCode = "records_uploaded"
	// ReasonPolicyPublished: priced again because a new policy version now
	// governs the claim's outage.
	ReasonPolicyPublished EstimateReasonCode = "policy_published"
	// ReasonOfferAccepted: the amount of a proactive offer the claimant
	// accepted (package offers); the claim is approved at it.
	ReasonOfferAccepted EstimateReasonCode = "offer_accepted"
	// ReasonOfferContested: priced by the usual rules when the claimant
	// answered an offer with "I lost more", the offer amount its floor.
	ReasonOfferContested EstimateReasonCode = "offer_contested"
)

// EstimateReasonCodes lists every code, in the order above.
var EstimateReasonCodes = []EstimateReasonCode{ReasonFiled, ReasonRecordsUploaded, ReasonPolicyPublished, ReasonOfferAccepted, ReasonOfferContested}

// EstimateReason says why an estimate was worked out, and what it replaced,
// so that a claimant sees the old and the new amount and why they differ.
type EstimateReason struct {
	Code EstimateReasonCode `json:"code"`
	// PolicyVersion and PolicyName name the newly published policy
	// (policy_published only).
	PolicyVersion int    `json:"policy_version,omitempty"`
	PolicyName    string `json:"policy_name,omitempty"`
	// PreviousAmountKRW is the estimate this one superseded, when any.
	PreviousAmountKRW *int64 `json:"previous_amount_krw,omitempty"`
	// AboveDecision marks an estimate higher than the amount already
	// decided (DecidedAmountKRW): the decision stands, and the claim's
	// reviewer and claimant see that the new policy gives more.
	AboveDecision    bool   `json:"above_decision,omitempty"`
	DecidedAmountKRW *int64 `json:"decided_amount_krw,omitempty"`
}

func (r EstimateReason) encode() string {
	b, _ := json.Marshal(r)
	return string(b)
}
