package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

// searchPageSize is how many claims one page of the staff search shows.
const searchPageSize = 50

// allStatuses are every claim status, in the search form's order.
var allStatuses = append(slices.Clone(openStatuses), models.Names([]models.ClaimStatus{models.StatusApproved,
	models.StatusPartiallyApproved, models.StatusRejected, models.StatusPaid, models.StatusWithdrawn})...)

// searchSorts are the search's orders, in the form's order.
var searchSorts = []string{"-created_at", "created_at", "-amount", "amount"}

// searchFields are the search form's fields, kept in the next page's link.
var searchFields = []string{"q", "status", "category", "outage_id", "min_krw", "max_krw", "flag", "sort"}

type searchRow struct {
	queueRow
	Open bool
}

type searchData struct {
	Rows                                        []searchRow
	Statuses, Categories, Outages, Flags, Sorts []option
	More                                        string
	Searched                                    bool
	// Reasons are the reason codes the bulk form offers; Back the query
	// the bulk form returns to; Bulk the results of a bulk decision.
	Reasons []option
	Back    string
	Bulk    []bulkRow
}

// bulkRow is one claim's result of a bulk decision on the search page.
type bulkRow struct {
	Number, Status, Error string
}

// reviewSearchPage finds any claim, whatever its status, by its number or
// its claimant's name, phone, e-mail or business number, with the queue's
// filters and a sort order; each result can be taken from here.
func (s *server) reviewSearchPage(c *gin.Context) {
	s.renderSearch(c, s.view(c, "review.search.title"), nil)
}

// renderSearch renders the search page for the query of c's URL, with the
// results of a bulk decision just made when bulk is not nil.
func (s *server) renderSearch(c *gin.Context, v *view, bulk []bulkRow) {
	ctx := c.Request.Context()
	bulkErrors := len(v.Errors) // the bulk form's, which do not stop the search
	q := c.Request.URL.Query()
	for _, k := range searchFields {
		v.Form[k] = strings.TrimSpace(q.Get(k))
	}
	f := claims.Filter{Query: v.Form["q"], Category: v.Form["category"], OutageID: v.Form["outage_id"], Flag: v.Form["flag"],
		Sort: v.Form["sort"], Limit: searchPageSize, After: q.Get("next")}
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	if !slices.Contains(searchSorts, f.Sort) {
		v.Errors["sort"] = v.L.T("review.search.bad_sort")
		f.Sort = "-created_at"
	}
	ff := s.claimFilterForm(ctx, v, allStatuses)
	f.Status, f.Category, f.Flag, f.OutageID, f.MinKRW, f.MaxKRW = ff.status, ff.category, ff.flag, ff.outageID, ff.minKRW, ff.maxKRW
	if len([]rune(f.Query)) > 200 {
		v.Errors["q"] = v.L.T("review.search.too_long")
		f.Query = ""
	}
	d := searchData{Bulk: bulk, Back: c.Request.URL.RawQuery}
	for _, k := range searchFields {
		d.Searched = d.Searched || (v.Form[k] != "" && k != "sort")
	}
	if d.Searched && len(v.Errors) == bulkErrors {
		if err := s.searchRows(c, v, f, &d); err != nil {
			s.fail(c, err)
			return
		}
	}
	var err error
	if d.Outages, err = s.outageOptions(ctx, v.Lang, v.Form["outage_id"]); err != nil {
		s.fail(c, err)
		return
	}
	for _, st := range allStatuses {
		d.Statuses = append(d.Statuses, option{Value: st, Label: v.L.T("claims.status." + st), Selected: v.Form["status"] == st})
	}
	for _, cat := range models.ClaimCategories() {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: v.L.T("claims.category." + string(cat)), Selected: v.Form["category"] == string(cat)})
	}
	for _, fl := range review.Flags {
		d.Flags = append(d.Flags, option{Value: fl, Label: v.L.T("review.flag." + fl), Selected: v.Form["flag"] == fl})
	}
	for _, so := range searchSorts {
		d.Sorts = append(d.Sorts, option{Value: so, Label: v.L.T("review.search.sort." + so), Selected: f.Sort == so})
	}
	for _, code := range review.ReasonCodes {
		d.Reasons = append(d.Reasons, option{Value: code, Label: reasonLabel(v.L, code)})
	}
	v.Data = d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "review_search", v)
}

// searchRows runs the search, records the staff's reading of every claim
// shown, and fills in the result rows and the next page's link.
func (s *server) searchRows(c *gin.Context, v *view, f claims.Filter, d *searchData) error {
	list, err := s.claims.List(c.Request.Context(), v.User, f)
	if err != nil {
		return err
	}
	reads := make([]audit.Record, len(list))
	for i, cv := range list {
		reads[i] = claimRead(actionListClaims, cv.ID, cv.ClaimantID)
	}
	if err := s.recordStaffAccess(c, reads...); err != nil {
		return err
	}
	names := s.outageNames(c.Request.Context(), v.Lang)
	for _, cv := range list {
		row := searchRow{queueRow: queueRow{ID: cv.ID, Number: cv.Number, Outage: names(cv.OutageID), Category: v.L.T("claims.category." + cv.Category.String()),
			Status: v.L.T("claims.status." + cv.Status.String()), Claimed: cv.ClaimedAmountKRW, CreatedAt: cv.CreatedAt}}
		if cv.Estimate != nil {
			row.Estimate = cv.Estimate.AmountKRW
		}
		row.Open = slices.Contains([]models.ClaimStatus{models.StatusSubmitted, models.StatusUnderReview, models.StatusAppealed}, cv.Status) ||
			cv.Status == models.StatusPendingSecondApproval && v.User.Role != models.RoleReviewer
		d.Rows = append(d.Rows, row)
	}
	if len(list) == f.Limit {
		more := url.Values{}
		for _, k := range searchFields {
			if v.Form[k] != "" {
				more.Set(k, v.Form[k])
			}
		}
		more.Set("next", list[len(list)-1].ID)
		d.More = "/review/search?" + more.Encode()
	}
	return nil
}

// reviewBulkSubmit applies the bulk form's decision to the claims ticked
// in the search results (review.Service.DecideBulk) and shows the search
// again with each claim's result.
func (s *server) reviewBulkSubmit(c *gin.Context) {
	v := s.view(c, "review.search.title")
	back, err := url.ParseQuery(c.PostForm("back"))
	if err != nil {
		back = url.Values{}
	}
	c.Request.URL.RawQuery = back.Encode()
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, &malformed{err})
		return
	}
	in := review.BulkInput{ClaimIDs: c.Request.PostForm["claim_id"], Outcome: c.PostForm("outcome"),
		ReasonCode: c.PostForm("reason_code"), Note: strings.TrimSpace(c.PostForm("note"))}
	results, err := s.review.DecideBulk(c.Request.Context(), v.User, in)
	var ve *apperr.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
		s.renderSearch(c, v, nil)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	rows := make([]bulkRow, len(results))
	for i, r := range results {
		rows[i] = bulkRow{Number: r.Number, Status: v.L.T("claims.status." + r.Status.String())}
		if r.Number == "" {
			rows[i].Number = r.ID
		}
		if r.Error != nil {
			rows[i].Status, rows[i].Error = "", r.Error.In(v.Lang)
		}
	}
	s.renderSearch(c, v, rows)
}
