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
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
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
	g.POST("/review/claims/:id/lease", s.requireUser, staff, s.reviewLeaseSubmit)
	g.GET("/review/claims/:id/evidence/:eid/preview", s.requireUser, staff, s.previewEvidence)
	g.GET("/review/search", s.requireUser, staff, s.reviewSearchPage)
	g.POST("/review/bulk", s.requireUser, staff, s.reviewBulkSubmit)
	claimant := s.requireRole(models.RoleClaimant)
	g.POST("/claims/:id/supplement", s.requireUser, claimant, s.supplementSubmit)
	g.POST("/claims/:id/appeal", s.requireUser, claimant, s.appealSubmit)
}

// openStatuses are models.OpenStatuses in the queue filter's order: the
// ones a reviewer acts on first come first.
var openStatuses = models.Names([]models.ClaimStatus{models.StatusSubmitted, models.StatusUnderReview,
	models.StatusAppealed, models.StatusPendingSecondApproval, models.StatusSupplementRequested})

// queuePageSize is how many claims the queue page shows at once.
const queuePageSize = 100

// queueRow is one claim of the queue page.
type queueRow struct {
	ID, Number, Outage, Category, Status string
	Estimate, Claimed                    int64
	AgeDays                              int
	OverTarget, Leased                   bool
	// Takeable offers the "take this claim" button: not leased, not
	// waiting for the claimant, and a second approval only to supervisors.
	Takeable  bool
	Flags     []string
	Age       string
	CreatedAt time.Time
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
	case q.Get("done") != "" && (models.ClaimStatus(q.Get("status_now")).Open() || models.ClaimStatus(q.Get("status_now")).Decided()):
		v.Form["notice"] = v.L.T("review.decided", map[string]any{"Number": q.Get("done"), "Status": v.L.T("claims.status." + q.Get("status_now"))})
	}
	f := review.QueueFilter{Category: v.Form["category"], OutageID: v.Form["outage_id"], Flag: v.Form["flag"], Limit: queuePageSize, After: q.Get("next")}
	ff := s.claimFilterForm(ctx, v, openStatuses)
	f.Status, f.Category, f.Flag, f.OutageID, f.MinKRW, f.MaxKRW = ff.status, ff.category, ff.flag, ff.outageID, ff.minKRW, ff.maxKRW
	if d := v.Form["older_than_days"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			v.Errors["older_than_days"] = v.L.T("review.filter.bad_days")
		} else {
			t := s.now().Add(-time.Duration(n) * 24 * time.Hour)
			f.OlderThan = &t
		}
	}
	items, err := s.review.Queue(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordQueueAccess(c, items); err != nil {
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
		row := queueRow{ID: it.ID, Number: it.Number, Outage: names(it.OutageID), Category: v.L.T("claims.category." + it.Category.String()),
			Status: v.L.T("claims.status." + it.Status.String()), Estimate: it.EstimateAmountKRW, Claimed: it.ClaimedAmountKRW, AgeDays: it.AgeDays,
			OverTarget: it.OverTarget, CreatedAt: it.CreatedAt, Age: v.L.T("review.age_days", map[string]any{"Days": it.AgeDays}),
			Leased: it.LeaseExpiresAt != nil && it.LeaseExpiresAt.After(s.now())}
		row.Takeable = !row.Leased && it.Status != models.StatusSupplementRequested &&
			(it.Status != models.StatusPendingSecondApproval || v.User.Role != models.RoleReviewer)
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
	for _, cat := range models.ClaimCategories() {
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
	if err := s.recordStaffAccess(c, claimRead(actionLeaseClaim, cv.ID, cv.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/claims/"+cv.ID)
}

// claimFilterForm is what the queue's and the search's filter forms ask,
// read from v.Form: a status among statuses, a category, a flag, an outage
// that exists and an amount range. A value that is not one of them is a
// field error on v, and the filter goes without it.
type claimFilterForm struct {
	status                   []string
	category, flag, outageID string
	minKRW, maxKRW           *int64
}

func (s *server) claimFilterForm(ctx context.Context, v *view, statuses []string) claimFilterForm {
	ff := claimFilterForm{category: v.Form["category"], flag: v.Form["flag"], outageID: v.Form["outage_id"]}
	if st := v.Form["status"]; st != "" {
		if slices.Contains(statuses, st) {
			ff.status = []string{st}
		} else {
			v.Errors["status"] = v.L.T("review.filter.bad_status")
		}
	}
	if ff.category != "" && !slices.Contains(models.ClaimCategories(), models.ClaimCategory(ff.category)) {
		v.Errors["category"] = v.L.T("review.filter.bad_category")
		ff.category = ""
	}
	if ff.flag != "" && !slices.Contains(review.Flags, ff.flag) {
		v.Errors["flag"] = v.L.T("review.filter.bad_flag")
		ff.flag = ""
	}
	for _, k := range []string{"min_krw", "max_krw"} {
		if v.Form[k] == "" {
			continue
		}
		n, ok := parseWon(v.Form[k])
		switch {
		case !ok:
			v.Errors[k] = v.L.T("review.filter.bad_amount")
		case k == "min_krw":
			ff.minKRW = &n
		default:
			ff.maxKRW = &n
		}
	}
	if ff.outageID != "" {
		if _, err := s.outages.Get(ctx, ff.outageID); err != nil {
			v.Errors["outage_id"] = v.L.T("review.filter.bad_outage")
			ff.outageID = ""
		}
	}
	return ff
}
