package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

// decisionRow is one decision of the history.
type decisionRow struct {
	At                      time.Time
	Actor, Action, From, To string
	Reason, Note            string
	Amount                  int64
	HasAmount               bool
	Due                     *time.Time
}

// Review page modes: what the viewer may do with the claim now.
const (
	modeDecide  = "decide"  // under review: the decision form
	modeSecond  = "second"  // awaiting a second approval the viewer may give
	modeMessage = "message" // nothing now; Why says why
)

type reviewClaimData struct {
	claimData
	Flags     []string
	Decisions []decisionRow
	Version   int
	Mode      string
	Why       string
	Outcomes  []option
	Reasons   []option
	Amount    string
	Approved  int64
	DueMin    string
	LeaseEnds string
	// Claimant is the claimant's masked name.
	Claimant string
	// CanTake offers the "take this claim" button.
	CanTake bool
}

// reviewClaimPage shows a claim to staff with its history and the form that
// applies to it now.
func (s *server) reviewClaimPage(c *gin.Context) {
	v := s.view(c, "review.claim.title")
	switch c.Query("done") {
	case "decided":
		v.Form["notice"] = v.L.T("review.decision.recorded")
	case "leased":
		v.Form["notice"] = v.L.T("review.take.done")
	}
	s.renderReviewClaim(c, http.StatusOK, v)
}

func (s *server) renderReviewClaim(c *gin.Context, status int, v *view) {
	ctx := c.Request.Context()
	cv, cd, ok := s.loadClaimPage(c, v)
	if !ok {
		return
	}
	facts, err := s.review.Facts(ctx, cv.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.review.Decisions(ctx, cv.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := []string{cv.ClaimantID}
	if facts.LeasedBy != nil {
		ids = append(ids, *facts.LeasedBy)
	}
	for _, dec := range list {
		if dec.ActorID != nil {
			ids = append(ids, *dec.ActorID)
		}
	}
	people, err := s.review.People(ctx, ids...)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Title = v.L.T("review.claim.title_of", map[string]any{"Number": cv.Number})
	d := reviewClaimData{claimData: cd, Version: cv.Version, Approved: facts.ApprovedAmountKRW,
		DueMin: s.now().In(kst).AddDate(0, 0, 1).Format("2006-01-02"), Claimant: people[cv.ClaimantID].MaskedName}
	for _, fl := range facts.Flags {
		d.Flags = append(d.Flags, v.L.T("review.flag."+fl))
	}
	for _, dec := range list {
		row := decisionRow{At: dec.CreatedAt, Actor: actorText(v.L, dec.ActorID, dec.ActorRole, people), Action: v.L.T("review.action." + dec.Action),
			From: v.L.T("claims.status." + dec.FromStatus.String()), To: v.L.T("claims.status." + dec.ToStatus.String()), Note: dec.Note, Due: dec.DueAt,
			Amount: dec.AmountKRW, HasAmount: dec.AmountKRW > 0}
		if dec.ReasonCode != "" {
			row.Reason = reasonLabel(v.L, dec.ReasonCode)
		}
		d.Decisions = append(d.Decisions, row)
	}
	u, now := v.User, s.now()
	mine := facts.Holds(u, now)
	switch facts.TurnOf(u, now) {
	case review.TurnHeld:
		holder := people[*facts.LeasedBy]
		d.Mode, d.Why = modeMessage, v.L.T("review.take.held", map[string]any{"Who": v.L.T("role."+holder.Role.String()) + " " + holder.MaskedName,
			"At": kstText(facts.LeaseExpiresAt)})
	case review.TurnOwnAppeal:
		d.Mode, d.Why = modeMessage, v.L.T("review.take.own_appeal")
	case review.TurnDecide:
		// An admin decides over another's live lease but cannot take it.
		d.Mode, d.CanTake = modeDecide, !facts.LeaseLive(now)
		if mine {
			d.LeaseEnds = kstText(facts.LeaseExpiresAt)
		} else {
			d.Why = v.L.T("review.take.lead")
		}
	case review.TurnOwnFirstDecision:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.four_eyes")
	case review.TurnSupervisorOnly:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.supervisor")
	case review.TurnSecond:
		d.Mode, d.CanTake = modeSecond, !facts.LeaseLive(now)
	case review.TurnSupplement:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.supplement", map[string]any{"At": kstText(facts.SupplementDueAt)})
	default:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.closed")
	}
	outcomes := []string{"approve", "partial", "reject", "request_supplement"}
	if d.Mode == modeSecond {
		outcomes = []string{"approve", "reject"}
	}
	for _, o := range outcomes {
		d.Outcomes = append(d.Outcomes, option{Value: o, Label: v.L.T("review.outcome." + o), Selected: v.Form["outcome"] == o})
	}
	for _, code := range review.ReasonCodes {
		d.Reasons = append(d.Reasons, option{Value: code, Label: reasonLabel(v.L, code), Selected: v.Form["reason_code"] == code})
	}
	d.Amount = v.Form["amount_krw"]
	if _, posted := v.Form["outcome"]; !posted && cv.Estimate != nil {
		d.Amount = strconv.FormatInt(cv.Estimate.AmountKRW, 10)
	}
	v.Data = d
	allowPreviewObjects(c)
	s.render(c, status, "review_claim", v)
}

// actorText names who made a decision: their role and masked name, or
// "system" for the automatic ones.
func actorText(l *i18n.Localizer, id *string, role string, people map[string]review.Person) string {
	if id == nil || role == "system" {
		return l.T("review.actor.system")
	}
	p, ok := people[*id]
	if !ok {
		return l.T("role." + role)
	}
	return l.T("role."+role) + " " + p.MaskedName
}

// reviewLeaseSubmit takes the claim for the caller from the queue, a
// search or the claim page, and opens it; a refusal (held by another,
// nothing to review) shows the claim page saying why.
func (s *server) reviewLeaseSubmit(c *gin.Context) {
	v := s.view(c, "review.claim.title")
	cv, err := s.review.Lease(c.Request.Context(), v.User, c.Param("id"))
	if err != nil {
		var ex *apperr.Explained
		if !errors.As(err, &ex) {
			s.fail(c, err)
			return
		}
		v.Flash = ex.Message().In(v.Lang)
		s.renderReviewClaim(c, classify(err).status, v)
		return
	}
	if err := s.recordStaffAccess(c, claimRead(actionLeaseClaim, cv.ID, cv.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/claims/"+cv.ID+"?done=leased")
}

// reasonLabel is a reason code's label in the catalog, or the code.
func reasonLabel(l *i18n.Localizer, code string) string {
	id := "review.reason." + code
	if t := l.T(id); t != id {
		return t
	}
	return code
}

// eventNoteText shows a timeline note ("reason:code — note") with the
// reason's label instead of its code.
func eventNoteText(l *i18n.Localizer, note string) string {
	rest, ok := strings.CutPrefix(note, "reason:")
	if !ok {
		return note
	}
	code, tail, _ := strings.Cut(rest, " — ")
	if tail == "" {
		return reasonLabel(l, code)
	}
	return reasonLabel(l, code) + " — " + tail
}

// reviewDecisionFields are the decision form's fields kept on a re-render.
var reviewDecisionFields = []string{"outcome", "amount_krw", "reason_code", "note", "due_at"}

// reviewDecisionSubmit records the decision form. The hidden version is the
// If-Match: a stale one re-renders the claim as it is now with a message.
func (s *server) reviewDecisionSubmit(c *gin.Context) {
	v := s.view(c, "review.claim.title")
	for _, k := range reviewDecisionFields {
		v.Form[k] = strings.TrimSpace(c.PostForm(k))
	}
	in := review.DecisionInput{Outcome: v.Form["outcome"], ReasonCode: v.Form["reason_code"], Note: v.Form["note"]}
	var f apperr.Fields
	if in.Outcome == "approve" || in.Outcome == "partial" {
		if a := v.Form["amount_krw"]; a != "" {
			n, ok := parseWon(a)
			if !ok {
				f.AddMsg("amount_krw", apperr.M("handlers.amount_digits"))
			}
			in.AmountKRW = &n
		}
	}
	if in.Outcome == "request_supplement" && v.Form["due_at"] != "" {
		day, err := time.ParseInLocation("2006-01-02", v.Form["due_at"], kst)
		if err != nil {
			f.AddMsg("due_at", apperr.M("handlers.due_at_format"))
		} else {
			due := day.Add(24*time.Hour - time.Second) // the end of that day, KST
			in.DueAt = &due
		}
	}
	var ifMatch *int
	if n, err := strconv.Atoi(c.PostForm("version")); err == nil {
		ifMatch = &n
	}
	err := f.Err()
	var cv *claims.View
	if err == nil {
		cv, err = s.review.Decide(c.Request.Context(), v.User, c.Param("id"), ifMatch, in)
	}
	var ve *apperr.ValidationError
	var ex *apperr.Explained
	switch {
	case err == nil:
		st := cv.Status
		if st == models.StatusSupplementRequested || st == models.StatusPendingSecondApproval && v.User.Role == models.RoleReviewer {
			// Out of the reviewer's hands: back to the queue.
			c.Redirect(http.StatusSeeOther, "/review?"+url.Values{"done": {cv.Number}, "status_now": {cv.Status.String()}}.Encode())
			return
		}
		c.Redirect(http.StatusSeeOther, "/review/claims/"+cv.ID+"?done=decided")
		return
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.As(err, &ex) && classify(err).status < 500:
		v.Flash = ex.Message().In(v.Lang)
	case errors.Is(err, apperr.ErrPreconditionFailed):
		v.Flash = v.L.T("review.stale")
		v.Form = map[string]string{"note": v.Form["note"], "stale": "yes"}
	case errors.Is(err, apperr.ErrForbidden):
		v.Flash = v.L.T("review.why.four_eyes")
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("review.conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderReviewClaim(c, classify(err).status, v)
}
