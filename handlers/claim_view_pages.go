package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

// claimPageRoutes registers the claimant's pages: the list, the filing
// form, a claim with its evidence and withdrawal, and the profiles.
func (s *server) claimPageRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	readers := s.requireRole(claimReaders...)
	g.GET("/claims", s.requireUser, claimant, s.claimsPage)
	g.GET("/claims/new", s.requireUser, claimant, s.newClaimPage)
	g.POST("/claims/new", s.requireUser, claimant, s.newClaimSubmit)
	g.GET("/claims/:id", s.requireUser, readers, s.claimPage)
	g.POST("/claims/:id/evidence", s.requireUser, claimant, s.claimEvidenceSubmit)
	g.GET("/claims/:id/evidence/:eid", s.requireUser, readers, s.downloadEvidence) // renders the 404 page off /api
	g.POST("/claims/:id/withdraw", s.requireUser, claimant, s.withdrawSubmit)
	s.profilePageRoutes(g)
}

// outageNames returns a memoized lookup of "service · start" for outage ids.
func (s *server) outageNames(ctx context.Context, lang string) func(id string) string {
	seen := map[string]string{}
	return func(id string) string {
		if name, ok := seen[id]; ok {
			return name
		}
		name := id
		if o, err := s.outages.Get(ctx, id); err == nil {
			name = localName(lang, o.Service.Name, o.Service.NameEN) + " · " + o.StartedAt.In(kst).Format("2006-01-02 15:04")
		}
		seen[id] = name
		return name
	}
}

// stepRow is one line of an estimate in the page's language.
type stepRow struct{ Label, Value string }

type estimateView struct {
	Amount        int64
	PolicyVersion int
	Review, Auto  bool
	Steps         []stepRow
	// Reason says why it was worked out; Change is "₩old → ₩new" when it
	// replaced another; AboveDecision says it exceeds the decided amount.
	Reason, Change, AboveDecision string
}

type eventRow struct {
	// Actor is who acted, in words: the claimant ("본인"), a reviewer or
	// the system.
	Status, Note, Actor string
	At                  time.Time
}

type evidenceRow struct {
	ID, Kind, Name, Size, SHA256 string
	// Preview is how the review page shows the file inline: "image",
	// "pdf" or "" (download only).
	Preview string
	At      time.Time
}

// outcomeView is the decision in force in the page's language.
type outcomeView struct {
	Decision, Reason string
	Amount           int64
	DecidedAt        time.Time
	// ShortOfEvidence is set for a decision for insufficient evidence;
	// Missing names the kinds still missing then (none: all are there).
	ShortOfEvidence bool
	Missing         []string
}

type claimData struct {
	C        *claims.View
	Outage   string
	Category string
	Status   string
	Outcome  *outcomeView
	Payment  *claims.Payment
	// Unpaid is set while an amount is decided and not yet paid.
	Unpaid         bool
	Estimate       *estimateView
	Past           []estimateView
	Events         []eventRow
	Evidence       []evidenceRow
	Bank           string
	FilingCloses   string
	Owner          bool
	CanWithdraw    bool
	CanUpload      bool
	EvidenceKinds  []option
	Notice         string
	WithdrawReason string
	// The open supplement request and the appeal, for the owner.
	CanSupplement  bool
	SupplementNote string
	SupplementDue  string
	CanAppeal      bool
	AppealCloses   string
	// AppealKinds are the kinds a file sent with the appeal may be, the
	// first missing one chosen.
	AppealKinds []option
	// Confirmation is shown to the owner right after filing.
	Confirmation *filedConfirmation
}

func (s *server) claimPage(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	q := c.Request.URL.Query()
	if q.Get("done") == "filed" {
		v.Form["filed"] = "yes" // the confirmation, also when the file was refused
	}
	switch {
	case slices.Contains(evidenceErrorCodes, q.Get("evidence_error")):
		v.Flash = v.L.T("claims.evidence_error." + q.Get("evidence_error"))
	case q.Get("done") == "evidence":
		v.Form["notice"] = v.L.T("claims.claim.evidence_added")
	case q.Get("done") == "withdrawn":
		v.Form["notice"] = v.L.T("claims.claim.withdrawn")
	case q.Get("done") == "supplement" || q.Get("done") == "appealed":
		v.Form["notice"] = v.L.T("claims.claim.done_" + q.Get("done"))
	}
	s.renderClaim(c, http.StatusOK, v)
}

// renderClaim shows claim :id to its owner or staff (anyone else gets the
// 404 page), with the forms keeping v.Form and v.Errors.
func (s *server) renderClaim(c *gin.Context, status int, v *view) {
	_, d, ok := s.loadClaimPage(c, v)
	if !ok {
		return
	}
	v.Data = d
	s.render(c, status, "claim", v)
}

// loadClaimPage reads claim :id for v's user (404 for anyone but the owner
// and staff), records a staff view, and builds what the claim page shows.
// On failure it has rendered the error and returns false.
func (s *server) loadClaimPage(c *gin.Context, v *view) (*claims.View, claimData, bool) {
	cv, err := s.claims.Get(c.Request.Context(), v.User, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return nil, claimData{}, false
	}
	if err := s.recordStaffAccess(c, claimRead(actionViewClaim, cv.ID, cv.ClaimantID)); err != nil {
		s.fail(c, err)
		return nil, claimData{}, false
	}
	d, err := s.claimDataOf(c, v, cv)
	if err != nil {
		s.fail(c, err)
		return nil, claimData{}, false
	}
	return cv, d, true
}

// claimDataOf is what the claim page, and the staff's review page, show of
// cv: the estimate, timeline, evidence and payout account in v's language,
// and for the owner the forms that apply now.
func (s *server) claimDataOf(c *gin.Context, v *view, cv *claims.View) (claimData, error) {
	ctx := c.Request.Context()
	owner := v.User.ID == cv.ClaimantID
	d := claimData{C: cv, Outage: s.outageNames(ctx, v.Lang)(cv.OutageID), Category: v.L.T("claims.category." + cv.Category.String()),
		Status: v.L.T("claims.status." + cv.Status.String()), Owner: owner, CanWithdraw: owner && cv.Withdrawable,
		CanUpload: owner && cv.Withdrawable, Notice: v.Form["notice"], WithdrawReason: v.Form["reason"]}
	v.Title = v.L.T("claims.claim.title_of", map[string]any{"Number": cv.Number})
	if cv.Estimate != nil {
		e := estimateOf(v.L, *cv.Estimate)
		d.Estimate = &e
	}
	if o := cv.Outcome; o != nil {
		d.Outcome = outcomeOf(v.L, o)
		d.Unpaid = o.AmountKRW > 0 && cv.Payment == nil
	}
	d.Payment = cv.Payment
	if !owner || pastTellsSomething(cv) {
		for i := len(cv.PastEstimates) - 1; i >= 0; i-- { // newest first
			d.Past = append(d.Past, estimateOf(v.L, cv.PastEstimates[i]))
		}
	}
	for _, e := range cv.Events {
		d.Events = append(d.Events, eventRow{Status: v.L.T("claims.status." + e.Status.String()), Note: plainNote(v.L, e.Note),
			Actor: v.L.T("claims.actor." + e.Actor), At: e.At})
	}
	if owner && v.Form["filed"] == "yes" {
		d.Confirmation = s.confirmationOf(v.L, cv)
	}
	for _, e := range cv.Evidence {
		d.Evidence = append(d.Evidence, evidenceRow{ID: e.ID, Kind: v.L.T("claims.evidence." + e.Kind), Name: e.Name,
			Size: sizeText(e.Size), SHA256: e.SHA256, At: e.CreatedAt, Preview: previewKind(e.ContentType)})
	}
	for _, b := range claims.Banks {
		if b.Code == cv.PayoutAccount.Bank {
			d.Bank = localName(v.Lang, b.Name, b.NameEN)
		}
	}
	if at := cv.Deadlines["filing_closes_at"]; at != nil {
		if t, err := time.Parse(time.RFC3339, *at); err == nil {
			d.FilingCloses = kstText(t)
		}
	}
	for _, k := range claims.EvidenceKinds {
		d.EvidenceKinds = append(d.EvidenceKinds, option{Value: k, Label: v.L.T("claims.evidence." + k), Selected: v.Form["kind"] == k})
	}
	d.AppealKinds = appealKinds(v, cv.Outcome)
	if owner && s.review != nil {
		if err := s.ownerForms(ctx, v.L, &d); err != nil {
			return d, err
		}
	}
	return d, nil
}

// outcomeOf shows o in l's language, evidence kinds by their catalog names.
func outcomeOf(l *i18n.Localizer, o *claims.Outcome) *outcomeView {
	ov := &outcomeView{Decision: l.T("claims.outcome.decision." + o.Decision), Amount: o.AmountKRW, DecidedAt: o.DecidedAt}
	if o.ReasonCode != nil {
		ov.Reason = reasonLabel(l, *o.ReasonCode)
		ov.ShortOfEvidence = *o.ReasonCode == claims.ReasonInsufficientEvidence
	}
	for _, k := range o.MissingEvidence {
		ov.Missing = append(ov.Missing, l.T("claims.evidence."+k))
	}
	return ov
}

// appealKinds are the kinds of a file sent with an appeal: the kind the
// form came back with, else the first evidence missing (a bank account
// copy for the policy's proof of account), else "other".
func appealKinds(v *view, o *claims.Outcome) []option {
	chosen := v.Form["appeal_kind"]
	if chosen == "" && o != nil && len(o.MissingEvidence) > 0 {
		chosen = o.MissingEvidence[0]
		if chosen == policy.EvidenceAccount {
			chosen = "bank_account"
		}
	}
	if !slices.Contains(claims.EvidenceKinds, chosen) {
		chosen = "other"
	}
	out := make([]option, 0, len(claims.EvidenceKinds))
	for _, k := range claims.EvidenceKinds {
		out = append(out, option{Value: k, Label: v.L.T("claims.evidence." + k), Selected: k == chosen})
	}
	return out
}

func estimateOf(l *i18n.Localizer, e claims.EstimateView) estimateView {
	ev := estimateView{Amount: e.AmountKRW, PolicyVersion: e.PolicyVersion, Review: e.ReviewRequired, Auto: e.Auto}
	ev.Steps = stepRows(l.Lang(), e.Steps)
	if r := e.Reason; r != nil {
		ev.Reason = l.T("claims.estimate.reason."+string(r.Code), map[string]any{"Version": r.PolicyVersion, "Name": r.PolicyName})
		if r.PreviousAmountKRW != nil {
			ev.Change = l.T("claims.estimate.change", map[string]any{"Old": estimate.FormatKRW(*r.PreviousAmountKRW), "New": estimate.FormatKRW(e.AmountKRW)})
		}
		if r.AboveDecision && r.DecidedAmountKRW != nil {
			ev.AboveDecision = l.T("claims.estimate.above_decision", map[string]any{"Decided": estimate.FormatKRW(*r.DecidedAmountKRW)})
		}
	}
	return ev
}

// sizeText shows a file size in bytes, KB or MB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// evidenceErrorCodes are the ?evidence_error= codes the claim page explains.
var evidenceErrorCodes = []string{"too_large", "unsupported_type", "invalid", "failed"}

func evidenceErrorCode(err error) string {
	switch classify(err).status {
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_type"
	case http.StatusUnprocessableEntity:
		return "invalid"
	}
	return "failed"
}

// claimEvidenceSubmit adds one file to the owner's claim from the claim
// page's form ("kind" then "file") and goes back to the claim.
func (s *server) claimEvidenceSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	v := s.view(c, "claims.claim.title")
	v.Form["kind"] = vals.Get("kind")
	if file == nil {
		err = apperr.InvalidMsg("file", apperr.M("handlers.file_missing"))
	} else {
		_, err = s.claims.AddEvidence(ctx, user, c.Param("id"), claims.Upload{Kind: vals.Get("kind"), Name: file.name, Body: file.body})
	}
	if err != nil {
		s.evidenceFormError(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=evidence")
}

// evidenceFormError re-renders the claim page with why a file was refused:
// the field errors an error names (a records file over a parser bound
// names its bound), else a file error when it is too large or of a type not
// accepted; the error page when err is not about the upload (the claim is
// not found, or something broke).
func (s *server) evidenceFormError(c *gin.Context, v *view, err error) {
	m := classify(err)
	var ve *apperr.ValidationError
	var fe fielder
	switch {
	case m.status == http.StatusRequestEntityTooLarge && errors.As(err, &fe):
		v.Errors = localize(fe.Fields(), v.Lang)
	case m.status == http.StatusRequestEntityTooLarge || m.status == http.StatusUnsupportedMediaType:
		v.Errors["file"] = v.L.T("claims.evidence_error." + evidenceErrorCode(err))
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, m.status, v)
}

// withdrawSubmit withdraws the owner's claim once the box is ticked.
func (s *server) withdrawSubmit(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	v.Form["reason"] = c.PostForm("reason")
	if c.PostForm("confirm") != "yes" {
		v.Errors["confirm"] = v.L.T("claims.withdraw.confirm_required")
		s.renderClaim(c, http.StatusUnprocessableEntity, v)
		return
	}
	_, err := s.claims.Withdraw(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("reason"))
	switch {
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.withdraw.too_late")
		s.renderClaim(c, http.StatusConflict, v)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=withdrawn")
}
