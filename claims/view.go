package claims

import (
	"encoding/json"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
)

// View is a claim as its owner and staff see it. The account number and
// the holder's name appear only masked, by the one standard of package pii
// ("110-***-****89", "김*용"); the full values leave only in the
// reason-gated payout transfer file. Outcome is the decision in force and Payment the transfer that
// paid it; both are nil (JSON null) until they exist.
type View struct {
	ID               string               `json:"id"`
	Number           string               `json:"number"`
	OutageID         string               `json:"outage_id"`
	Category         models.ClaimCategory `json:"category"`
	Status           models.ClaimStatus   `json:"status"`
	Monetary         bool                 `json:"monetary"`
	Description      string               `json:"description"`
	ClaimedAmountKRW int64                `json:"claimed_amount_krw"`
	Details          map[string]any       `json:"details"`
	PayoutAccount    AccountView          `json:"payout_account"`
	Estimate         *EstimateView        `json:"estimate"`
	Outcome          *Outcome             `json:"outcome"`
	Payment          *Payment             `json:"payment"`
	PastEstimates    []EstimateView       `json:"past_estimates"`
	Events           []EventView          `json:"events"`
	Evidence         []EvidenceView       `json:"evidence"`
	Version          int                  `json:"version"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	Deadlines        map[string]*string   `json:"deadlines"`
	Withdrawable     bool                 `json:"withdrawable"`
	ClaimantID       string               `json:"-"`
}

// AccountView is a payout account with the number and holder masked.
type AccountView struct {
	Bank   string `json:"bank"`
	Number string `json:"number"`
	Holder string `json:"holder"`
}

// EventView is one step of the status timeline.
type EventView struct {
	Status models.ClaimStatus `json:"status"`
	At     time.Time          `json:"at"`
	Note   string             `json:"note"`
	// Actor says who moved the claim, by kind only (never which staff
	// member): ActorClaimant, ActorStaff or ActorSystem. Pages show it.
	Actor string `json:"-"`
}

// The kinds of EventView.Actor.
const (
	ActorClaimant = "claimant"
	ActorStaff    = "staff"
	ActorSystem   = "system"
)

// actorOf is the kind of actor of e on a claim of claimantID.
func actorOf(e models.ClaimEvent, claimantID string) string {
	switch {
	case e.ActorID == nil:
		return ActorSystem
	case *e.ActorID == claimantID:
		return ActorClaimant
	}
	return ActorStaff
}

// EvidenceView describes an uploaded file.
type EvidenceView struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	CreatedAt   time.Time `json:"created_at"`
}

func viewOf(c *models.Claim, estimates []models.ClaimEstimate, events []models.ClaimEvent, evidence []models.Evidence) *View {
	v := &View{ID: c.ID, Number: c.Number, OutageID: c.OutageID, Category: c.Category, Status: c.Status, Monetary: c.Monetary,
		Description: c.Description, ClaimedAmountKRW: c.ClaimedAmountKRW, Details: map[string]any{},
		PayoutAccount: AccountView{Bank: c.PayoutBank, Number: c.PayoutNumberMasked, Holder: pii.MaskName(c.PayoutHolder)},
		PastEstimates: []EstimateView{}, Events: []EventView{}, Evidence: []EvidenceView{}, Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Deadlines: map[string]*string{}, ClaimantID: c.ClaimantID,
		Withdrawable: withdrawable(c.Status)}
	_ = json.Unmarshal([]byte(c.Details), &v.Details) // written by this package as JSON
	for _, e := range estimates {
		est := estimateOf(e)
		if e.SupersededAt == nil {
			v.Estimate = &est
		} else {
			v.PastEstimates = append(v.PastEstimates, est)
		}
	}
	for _, e := range events {
		v.Events = append(v.Events, EventView{Status: e.Status, At: e.CreatedAt, Note: e.Note, Actor: actorOf(e, c.ClaimantID)})
	}
	for _, e := range evidence {
		v.Evidence = append(v.Evidence, EvidenceView{ID: e.ID, Kind: e.Kind, Name: e.OriginalName, SHA256: e.SHA256,
			Size: e.Size, ContentType: e.ContentType, CreatedAt: e.CreatedAt})
	}
	return v
}

// estimateView is estimateOf of the record estimateRecord makes of est
// and why, built from them directly: a claim just filed is shown without
// decoding the steps it has just encoded (7 % of a filing's CPU in the
// portal, issue 15). TestEstimateViewIsTheRecordsView holds the two equal.
func estimateView(est policy.Estimate, why EstimateReason) EstimateView {
	v := EstimateView{Estimate: est}
	if why.Code != "" {
		v.Reason = &why
	}
	return v
}

func estimateOf(e models.ClaimEstimate) EstimateView {
	est := EstimateView{Estimate: policy.Estimate{AmountKRW: e.AmountKRW, PolicyVersion: e.PolicyVersion, Auto: e.Auto, ReviewRequired: e.ReviewRequired,
		ReviewReason: e.ReviewReason, ExtensionDays: e.ExtensionDays, InKind: e.InKind, InKindEN: e.InKindEN}}
	_ = json.Unmarshal([]byte(e.Steps), &est.Steps)
	if e.Reason != "" {
		var r EstimateReason
		if json.Unmarshal([]byte(e.Reason), &r) == nil && r.Code != "" { // written by this package as JSON
			est.Reason = &r
		}
	}
	return est
}

// withdrawable reports whether the claimant may still withdraw: before any
// decision, as the state machine says.
func withdrawable(status models.ClaimStatus) bool {
	_, err := Next(status, ActWithdraw, Decision{})
	return err == nil
}
