package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
)

// claimsPageSize is how many claims the claimant's list shows at once. It
// keeps the first load (the HTML plus Pico and htmx) under the 150 KB
// target for claimant pages however many claims a claimant has; see
// TestClaimsListFirstLoad.
const claimsPageSize = 25

// claimRow is one claim in the claimant's list. Amount is what the
// claimant got or may get, Basis which: "paid", "decided" or "estimate"
// (empty without any), and Note says so in the page's language.
type claimRow struct {
	ID, Number, Outage, Category, Status string
	Amount                               int64
	Basis, Note                          string
	CreatedAt                            time.Time
}

// amountOf fills in the amount a row shows: the payment, else the decided
// amount, else the estimate.
func (r *claimRow) amountOf(l *i18n.Localizer, cv *claims.View) {
	switch {
	case cv.Payment != nil:
		r.Basis, r.Amount = "paid", cv.Payment.AmountKRW
		r.Note = l.T("claims.list.paid", map[string]any{"At": cv.Payment.PaidAt.In(kst).Format("2006-01-02")})
	case cv.Outcome != nil:
		r.Basis, r.Amount, r.Note = "decided", cv.Outcome.AmountKRW, l.T("claims.list.decided")
	case cv.Estimate != nil:
		r.Basis, r.Amount, r.Note = "estimate", cv.Estimate.AmountKRW, l.T("claims.list.estimate")
		if cv.Estimate.ReviewRequired {
			r.Note += ", " + l.T("claims.estimate.review_short")
		}
	}
}

type claimsData struct {
	Rows []claimRow
	// More is the URL of the next (older) page; empty on the last page.
	More string
	// Later is set past the first page, which it links back to.
	Later bool
	// Reset says the cursor in the URL was not one of the claimant's
	// claims (stale, mistyped or someone else's), so the list starts over.
	Reset bool
}

// claimsPage lists the claimant's claims, newest first, a page at a time:
// ?next= is the last claim of the previous page, the cursor GET
// /api/v1/claims uses. The eligibility checker links here with
// ?outage=&role=&service=; those go on to the filing form.
func (s *server) claimsPage(c *gin.Context) {
	q := c.Request.URL.Query()
	if q.Get("outage") != "" || q.Get("role") != "" || q.Get("service") != "" {
		c.Redirect(http.StatusSeeOther, "/claims/new?"+q.Encode())
		return
	}
	v := s.view(c, "claims.title")
	ctx := c.Request.Context()
	d := claimsData{Later: q.Get("next") != ""}
	list, more, err := s.claimsFrom(ctx, v.User, q.Get("next"))
	if d.Later && errors.Is(err, apperr.ErrInvalid) {
		d.Later, d.Reset = false, true
		list, more, err = s.claimsFrom(ctx, v.User, "")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if more {
		d.More = "/claims?" + url.Values{"next": {list[len(list)-1].ID}}.Encode()
	}
	names := s.outageNames(ctx, v.Lang)
	for _, cv := range list {
		row := claimRow{ID: cv.ID, Number: cv.Number, Outage: names(cv.OutageID), Category: v.L.T("claims.category." + cv.Category.String()),
			Status: v.L.T("claims.status." + cv.Status.String()), CreatedAt: cv.CreatedAt}
		row.amountOf(v.L, cv)
		d.Rows = append(d.Rows, row)
	}
	v.Data = d
	s.render(c, http.StatusOK, "claims", v)
}

// claimsFrom returns the viewer's page of claims after the claim with id
// after (from the newest when empty) and whether older ones follow. It
// asks for one claim more than it shows, so the last page never links to
// an empty one. A cursor that is not one of the viewer's claims is
// ErrInvalid.
func (s *server) claimsFrom(ctx context.Context, viewer *models.User, after string) ([]*claims.View, bool, error) {
	list, err := s.claims.List(ctx, viewer, claims.Filter{Sort: "-created_at", Limit: claimsPageSize + 1, After: after})
	if err != nil {
		return nil, false, err
	}
	if len(list) > claimsPageSize {
		return list[:claimsPageSize], true, nil
	}
	return list, false, nil
}
