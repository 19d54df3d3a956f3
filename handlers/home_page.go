package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// homeClaims is how many of their newest claims a claimant's home shows.
const homeClaims = 5

// ongoingRow is an outage going on now, with where to claim for it.
type ongoingRow struct {
	outageRow
	ClaimURL string
}

type homeData struct {
	// Banner is the overall status in a sentence; Alert is set while an
	// outage is going on.
	Banner  string
	Alert   bool
	Ongoing []ongoingRow
	// Claimant is set for a logged-in claimant, with their newest claims.
	Claimant bool
	Claims   []claimRow
	More     bool
}

// homePage shows the outages going on now first, each with a link to claim
// for it, an overall status banner, and a logged-in claimant's claims.
func (s *server) homePage(c *gin.Context) {
	v := s.view(c, "nav.home")
	ctx := c.Request.Context()
	yes := true
	ongoing, err := s.outages.List(ctx, outage.Filter{Ongoing: &yes, Limit: 500})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := homeData{}
	d.Banner, d.Alert = statusBanner(v, len(ongoing))
	for _, o := range ongoing {
		d.Ongoing = append(d.Ongoing, ongoingRow{outageRow: rowOf(v.L, v.Lang, o), ClaimURL: "/claims/new?outage=" + o.ID})
	}
	if v.User != nil && v.User.Role == models.RoleClaimant {
		d.Claimant = true
		list, more, err := s.claimsFrom(ctx, v.User, "")
		if err != nil {
			s.fail(c, err)
			return
		}
		if len(list) > homeClaims {
			list, more = list[:homeClaims], true
		}
		d.More = more
		names := s.outageNames(ctx, v.Lang)
		for _, cv := range list {
			row := claimRow{ID: cv.ID, Number: cv.Number, Outage: names(cv.OutageID), Category: v.L.T("claims.category." + cv.Category.String()),
				Status: v.L.T("claims.status." + cv.Status.String()), CreatedAt: cv.CreatedAt}
			row.amountOf(v.L, cv)
			d.Claims = append(d.Claims, row)
		}
	}
	v.Data = &d
	s.render(c, http.StatusOK, "home", v)
}

// statusBanner is the overall status in a sentence for n outages going on,
// and whether it is an alert.
func statusBanner(v *view, n int) (string, bool) {
	if n == 0 {
		return v.L.T("status.banner.ok"), false
	}
	return v.L.T("status.banner.ongoing", map[string]any{"Count": n}), true
}
