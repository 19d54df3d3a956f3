package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/review"
)

// reviewPageRoutes registers the staff's review pages (the queue, a claim
// with its decision form) and the claimant's answers to them (a supplement,
// an appeal) posted from the claim page.
func (s *server) reviewPageRoutes(g *gin.RouterGroup) {
	staff := s.requireRole(models.RoleReviewer, models.RoleSupervisor)
	g.GET("/review", s.requireUser, staff, s.reviewQueuePage)
	g.POST("/review/next", s.requireUser, staff, s.reviewNextSubmit)
	g.GET("/review/claims/:id", s.requireUser, staff, s.reviewClaimPage)
	g.POST("/review/claims/:id/decisions", s.requireUser, staff, s.reviewDecisionSubmit)
	claimant := s.requireRole(models.RoleClaimant)
	g.POST("/claims/:id/supplement", s.requireUser, claimant, s.supplementSubmit)
	g.POST("/claims/:id/appeal", s.requireUser, claimant, s.appealSubmit)
}

// openStatuses are the statuses the queue lists, in the filter's order.
var openStatuses = []string{string(claims.Submitted), string(claims.UnderReview), string(claims.Appealed),
	string(claims.PendingSecondApproval), string(claims.SupplementRequested)}

// queuePageSize is how many claims the queue page shows at once.
const queuePageSize = 100

// queueRow is one claim of the queue page.
type queueRow struct {
	ID, Number, Outage, Category, Status string
	Estimate, Claimed                    int64
	AgeDays                              int
	OverTarget, Leased                   bool
	Flags                                []string
	Age                                  string
	CreatedAt                            time.Time
}

type queueData struct {
	Rows                                 []queueRow
	Statuses, Categories, Outages, Flags []option
	TargetDays                           int
	Lead                                 string
	More                                 string
	Filtered                             bool
}

// reviewQueuePage lists the open claims matching the GET form's filters,
// oldest first, with the take-next button.
func (s *server) reviewQueuePage(c *gin.Context) {
	v := s.view(c, "review.title")
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	for _, k := range []string{"status", "category", "outage_id", "min_krw", "max_krw", "flag", "older_than_days"} {
		v.Form[k] = strings.TrimSpace(q.Get(k))
	}
	switch {
	case q.Get("empty") != "":
		v.Form["notice"] = v.L.T("review.queue.empty_notice")
	case q.Get("done") != "" && slices.Contains(append(openStatuses, "approved", "partially_approved", "rejected"), q.Get("status_now")):
		v.Form["notice"] = v.L.T("review.decided", map[string]any{"Number": q.Get("done"), "Status": v.L.T("claims.status." + q.Get("status_now"))})
	}
	f := review.QueueFilter{Category: v.Form["category"], OutageID: v.Form["outage_id"], Flag: v.Form["flag"], Limit: queuePageSize, After: q.Get("next")}
	if st := v.Form["status"]; st != "" {
		if slices.Contains(openStatuses, st) {
			f.Status = []string{st}
		} else {
			v.Errors["status"] = v.L.T("review.filter.bad_status")
		}
	}
	if f.Category != "" && !slices.Contains(policy.Categories(), policy.Category(f.Category)) {
		v.Errors["category"] = v.L.T("review.filter.bad_category")
		f.Category = ""
	}
	if f.Flag != "" && !slices.Contains(review.Flags, f.Flag) {
		v.Errors["flag"] = v.L.T("review.filter.bad_flag")
		f.Flag = ""
	}
	for _, k := range []string{"min_krw", "max_krw"} {
		if v.Form[k] == "" {
			continue
		}
		n, ok := parseWon(v.Form[k])
		if !ok {
			v.Errors[k] = v.L.T("review.filter.bad_amount")
			continue
		}
		if k == "min_krw" {
			f.MinKRW = &n
		} else {
			f.MaxKRW = &n
		}
	}
	if d := v.Form["older_than_days"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			v.Errors["older_than_days"] = v.L.T("review.filter.bad_days")
		} else {
			t := time.Now().Add(-time.Duration(n) * 24 * time.Hour)
			f.OlderThan = &t
		}
	}
	if f.OutageID != "" {
		if _, err := s.outages.Get(ctx, f.OutageID); err != nil {
			v.Errors["outage_id"] = v.L.T("review.filter.bad_outage")
			f.OutageID = ""
		}
	}
	items, err := s.review.Queue(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := queueData{TargetDays: int(s.review.Settings().ReviewTarget.Hours() / 24)}
	d.Lead = v.L.T("review.lead", map[string]any{"Days": d.TargetDays})
	for _, k := range []string{"status", "category", "outage_id", "min_krw", "max_krw", "flag", "older_than_days"} {
		if v.Form[k] != "" {
			d.Filtered = true
		}
	}
	names := s.outageNames(ctx, v.Lang)
	for _, it := range items {
		row := queueRow{ID: it.ID, Number: it.Number, Outage: names(it.OutageID), Category: v.L.T("claims.category." + it.Category),
			Status: v.L.T("claims.status." + it.Status), Estimate: it.EstimateAmountKRW, Claimed: it.ClaimedAmountKRW, AgeDays: it.AgeDays,
			OverTarget: it.OverTarget, CreatedAt: it.CreatedAt, Age: v.L.T("review.age_days", map[string]any{"Days": it.AgeDays}),
			Leased: it.Status == string(claims.UnderReview) && it.LeaseExpiresAt != nil && it.LeaseExpiresAt.After(time.Now())}
		for _, fl := range it.Flags {
			row.Flags = append(row.Flags, v.L.T("review.flag."+fl))
		}
		d.Rows = append(d.Rows, row)
	}
	if len(items) == queuePageSize {
		more := url.Values{}
		for k, val := range v.Form {
			if val != "" && k != "notice" {
				more.Set(k, val)
			}
		}
		more.Set("next", items[len(items)-1].ID)
		d.More = "/review?" + more.Encode()
	}
	for _, st := range openStatuses {
		d.Statuses = append(d.Statuses, option{Value: st, Label: v.L.T("claims.status." + st), Selected: v.Form["status"] == st})
	}
	for _, cat := range policy.Categories() {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: v.L.T("claims.category." + string(cat)), Selected: v.Form["category"] == string(cat)})
	}
	for _, fl := range review.Flags {
		d.Flags = append(d.Flags, option{Value: fl, Label: v.L.T("review.flag." + fl), Selected: v.Form["flag"] == fl})
	}
	if d.Outages, err = s.outageOptions(ctx, v.Lang, v.Form["outage_id"]); err != nil {
		s.fail(c, err)
		return
	}
	v.Data = d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "review_queue", v)
}

// reviewOutages is how many recent outages the filter and build forms offer.
const reviewOutages = 100

// outageOptions offers the recent outages, and the selected one when it is
// older, for a select.
func (s *server) outageOptions(ctx context.Context, lang, selected string) ([]option, error) {
	recent, err := s.outages.List(ctx, outage.Filter{Limit: reviewOutages})
	if err != nil {
		return nil, err
	}
	var out []option
	found := false
	for _, o := range recent {
		opt := option{Value: o.ID, Label: outageLabel(lang, o), Selected: o.ID == selected}
		found = found || opt.Selected
		out = append(out, opt)
	}
	if selected != "" && !found {
		if o, err := s.outages.Get(ctx, selected); err == nil {
			out = append(out, option{Value: o.ID, Label: outageLabel(lang, o), Selected: true})
		}
	}
	return out, nil
}

// reviewNextSubmit leases the oldest suitable claim to the caller and opens
// it, or goes back to the queue saying it is empty.
func (s *server) reviewNextSubmit(c *gin.Context) {
	cv, err := s.review.Next(c.Request.Context(), currentUser(c))
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		c.Redirect(http.StatusSeeOther, "/review?empty=1")
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.logStaffAccess(c, "lease_claim", cv.ClaimantID, cv.ID)
	c.Redirect(http.StatusSeeOther, "/review/claims/"+cv.ID)
}

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
}

// reviewClaimPage shows a claim to staff with its history and the form that
// applies to it now.
func (s *server) reviewClaimPage(c *gin.Context) {
	v := s.view(c, "review.claim.title")
	if c.Query("done") == "decided" {
		v.Form["notice"] = v.L.T("review.decision.recorded")
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
	v.Title = v.L.T("review.claim.title_of", map[string]any{"Number": cv.Number})
	d := reviewClaimData{claimData: cd, Version: cv.Version, Approved: facts.ApprovedAmountKRW,
		DueMin: time.Now().In(kst).AddDate(0, 0, 1).Format("2006-01-02")}
	for _, fl := range facts.Flags {
		d.Flags = append(d.Flags, v.L.T("review.flag."+fl))
	}
	for _, dec := range list {
		row := decisionRow{At: dec.CreatedAt, Actor: v.L.T("role." + dec.ActorRole), Action: v.L.T("review.action." + dec.Action),
			From: v.L.T("claims.status." + dec.FromStatus), To: v.L.T("claims.status." + dec.ToStatus), Note: dec.Note, Due: dec.DueAt,
			Amount: dec.AmountKRW, HasAmount: dec.AmountKRW > 0}
		if dec.ReasonCode != "" {
			row.Reason = reasonLabel(v.L, dec.ReasonCode)
		}
		d.Decisions = append(d.Decisions, row)
	}
	u := v.User
	supervisor := u.Role == models.RoleSupervisor || u.Role == models.RoleAdmin
	switch st := claims.Status(cv.Status); {
	case st == claims.UnderReview && facts.LeasedBy != nil && *facts.LeasedBy != u.ID && u.Role != models.RoleAdmin &&
		facts.LeaseExpiresAt != nil && facts.LeaseExpiresAt.After(time.Now()):
		d.Mode, d.Why = modeMessage, v.L.T("review.why.leased", map[string]any{"At": kstText(facts.LeaseExpiresAt)})
	case st == claims.UnderReview:
		d.Mode = modeDecide
		d.LeaseEnds = kstText(facts.LeaseExpiresAt)
	case st == claims.PendingSecondApproval && facts.DecidedBy != nil && *facts.DecidedBy == u.ID:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.four_eyes")
	case st == claims.PendingSecondApproval && !supervisor:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.supervisor")
	case st == claims.PendingSecondApproval:
		d.Mode = modeSecond
	case st == claims.Submitted || st == claims.Appealed:
		d.Mode, d.Why = modeMessage, v.L.T("review.why.queued")
	case st == claims.SupplementRequested:
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
	s.render(c, status, "review_claim", v)
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
				f.Add("amount_krw", "금액은 숫자로 입력하세요. 예: 350,000", "Enter the amount in digits, e.g. 350,000.")
			}
			in.AmountKRW = &n
		}
	}
	if in.Outcome == "request_supplement" && v.Form["due_at"] != "" {
		day, err := time.ParseInLocation("2006-01-02", v.Form["due_at"], kst)
		if err != nil {
			f.Add("due_at", "기한을 2022-10-31 형식으로 입력하세요.", "Enter the due date like 2022-10-31.")
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
	switch {
	case err == nil:
		st := claims.Status(cv.Status)
		if st == claims.SupplementRequested || st == claims.PendingSecondApproval && v.User.Role == models.RoleReviewer {
			// Out of the reviewer's hands: back to the queue.
			c.Redirect(http.StatusSeeOther, "/review?"+url.Values{"done": {cv.Number}, "status_now": {cv.Status}}.Encode())
			return
		}
		c.Redirect(http.StatusSeeOther, "/review/claims/"+cv.ID+"?done=decided")
		return
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
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

// ownerForms fills in the claimant's supplement and appeal forms when they
// apply.
func (s *server) ownerForms(ctx context.Context, l *i18n.Localizer, d *claimData) error {
	st := claims.Status(d.C.Status)
	if st != claims.SupplementRequested && !st.Decided() {
		return nil
	}
	f, err := s.review.Facts(ctx, d.C.ID)
	if err != nil {
		return err
	}
	if st == claims.SupplementRequested {
		d.CanSupplement, d.SupplementNote, d.SupplementDue = true, f.SupplementNote, kstText(f.SupplementDueAt)
	}
	d.CanAppeal = f.CanAppeal
	if f.CanAppeal && f.AppealClosesAt != nil {
		d.AppealCloses = l.T("claims.appeal.closes", map[string]any{"At": kstText(f.AppealClosesAt)})
	}
	return nil
}

// supplementSubmit answers a supplement request from the claim page: the
// text, then an optional file streamed like the evidence form's. The claim
// goes back to the queue.
func (s *server) supplementSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	v := s.view(c, "claims.claim.title")
	v.Form["body"], v.Form["kind"] = vals.Get("body"), vals.Get("kind")
	body := strings.TrimSpace(vals.Get("body"))
	if n := len([]rune(body)); n == 0 || n > 5000 {
		v.Errors["body"] = v.L.T("claims.supplement.body_required")
		s.renderClaim(c, http.StatusUnprocessableEntity, v)
		return
	}
	if file != nil {
		kind := vals.Get("kind")
		if kind == "" {
			kind = "other"
		}
		_, err := s.claims.AddEvidence(ctx, user, c.Param("id"), claims.Upload{Kind: kind, Name: file.name, Body: file.body})
		m := classify(err)
		var ve *apperr.ValidationError
		switch {
		case err == nil:
		case m.status == http.StatusRequestEntityTooLarge || m.status == http.StatusUnsupportedMediaType:
			v.Errors["file"] = v.L.T("claims.evidence_error." + evidenceErrorCode(err))
		case errors.As(err, &ve):
			v.Errors = localize(ve.Fields, v.Lang)
		default:
			s.fail(c, err)
			return
		}
		if err != nil {
			s.renderClaim(c, m.status, v)
			return
		}
	}
	_, err = s.review.Supplement(ctx, user, c.Param("id"), body)
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=supplement")
		return
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.supplement.too_late")
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, classify(err).status, v)
}

// appealSubmit contests the decision on the owner's claim.
func (s *server) appealSubmit(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	v.Form["appeal_reason"] = c.PostForm("reason")
	_, err := s.review.Appeal(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("reason"))
	var late *claims.LateError
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=appealed")
		return
	case errors.As(err, &late):
		v.Flash = v.L.T("claims.appeal.late")
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.appeal.conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, classify(err).status, v)
}
