package handlers

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/stats"
)

// statsRoles may see the numbers (admins always may).
var statsRoles = []models.Role{models.RoleOperator, models.RoleReviewer, models.RoleSupervisor}

// statsRoutes registers GET /api/v1/stats.
func (s *server) statsRoutes(g *gin.RouterGroup) {
	g.GET("/stats", s.requireUser, s.requireRole(statsRoles...), s.getStats)
}

// statsPageRoutes registers the staff dashboard page.
func (s *server) statsPageRoutes(g *gin.RouterGroup) {
	g.GET("/dashboard", s.requireUser, s.requireRole(statsRoles...), s.dashboardPage)
}

func (s *server) getStats(c *gin.Context) {
	f, err := s.stats.Figures(c.Request.Context(), c.Query("outage_id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, f)
}

// dashboardOutages is how many recent outages the dashboard's select offers.
const dashboardOutages = 100

// countRow is one labelled count of a dashboard table.
type countRow struct {
	Key, Label string
	Count      int64
}

// chartSeries is one chart's labels and counts.
type chartSeries struct {
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	Counts []int64  `json:"counts"`
}

// chartData is the page's JSON data block, read by static/js/dashboard.js.
type chartData struct {
	Scope      string      `json:"scope"`
	CountLabel string      `json:"count_label"`
	Status     chartSeries `json:"status"`
	Category   chartSeries `json:"category"`
	Backlog    chartSeries `json:"backlog"`
}

type dashboardData struct {
	Outages       []option
	Scope         string
	F             *stats.Figures
	Status        []countRow
	Category      []countRow
	Backlog       []countRow
	P50, P90      string
	MerchantShare string
	BacklogLead   string
	Chart         chartData
	Ledger        *ledgerView
}

func (s *server) dashboardPage(c *gin.Context) {
	v := s.view(c, "dashboard.title")
	ctx := c.Request.Context()
	selected := c.Query("outage_id")
	f, err := s.stats.Figures(ctx, selected)
	if err != nil {
		s.fail(c, err)
		return
	}
	recent, err := s.outages.List(ctx, outage.Filter{Limit: dashboardOutages})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := dashboardData{F: f, Scope: v.L.T("dashboard.scope.all")}
	found := false
	for _, o := range recent {
		opt := option{Value: o.ID, Label: outageLabel(v.Lang, o), Selected: o.ID == selected}
		if opt.Selected {
			found, d.Scope = true, opt.Label
		}
		d.Outages = append(d.Outages, opt)
	}
	if selected != "" && !found { // older than the list: offer it too
		o, err := s.outages.Get(ctx, selected)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Scope = outageLabel(v.Lang, o)
		d.Outages = append(d.Outages, option{Value: o.ID, Label: d.Scope, Selected: true})
	}
	d.Status = countRows(v.L, "claims.status.", stats.Statuses, f.ByStatus)
	d.Category = countRows(v.L, "claims.category.", stats.Categories, f.ByCategory)
	backlog := map[string]int64{}
	keys := make([]string, len(f.Backlog.Buckets))
	for i, b := range f.Backlog.Buckets {
		backlog[b.Bucket], keys[i] = b.Count, b.Bucket
	}
	d.Backlog = countRows(v.L, "dashboard.bucket.", keys, backlog)
	d.BacklogLead = v.L.T("dashboard.backlog.lead", map[string]any{"Days": f.Backlog.ReviewTargetDays})
	d.P50, d.P90 = v.L.T("dashboard.no_decisions"), v.L.T("dashboard.no_decisions")
	if f.Decision.Decided > 0 {
		d.P50, d.P90 = durationText(v.L, f.Decision.P50), durationText(v.L, f.Decision.P90)
	}
	d.MerchantShare = strconv.FormatFloat(f.Triage.MerchantShare*100, 'f', 1, 64) + "%"
	d.Chart = chartData{Scope: d.Scope, CountLabel: v.L.T("dashboard.col.count"),
		Status:   series(v.L.T("dashboard.by_status"), d.Status),
		Category: series(v.L.T("dashboard.by_category"), d.Category),
		Backlog:  series(v.L.T("dashboard.backlog"), d.Backlog)}
	d.Ledger = ledgerOf(v.L, f.Offers)
	v.Data = d
	s.render(c, http.StatusOK, "dashboard", v)
}

func countRows(l *i18n.Localizer, prefix string, keys []string, counts map[string]int64) []countRow {
	out := make([]countRow, len(keys))
	for i, k := range keys {
		out[i] = countRow{Key: k, Label: l.T(prefix + k), Count: counts[k]}
	}
	return out
}

func series(title string, rows []countRow) chartSeries {
	cs := chartSeries{Title: title, Labels: make([]string, len(rows)), Counts: make([]int64, len(rows))}
	for i, r := range rows {
		cs.Labels[i], cs.Counts[i] = r.Label, r.Count
	}
	return cs
}

// durationText shows a duration given in hours as a person reads it:
// minutes under an hour ("45분", "45m"), hours and minutes under a day
// ("5시간 30분", "5h 30m"), days and hours from a day on ("1일 12시간",
// "1d 12h"), each rounded to its smallest unit; never "36073.8시간".
func durationText(l *i18n.Localizer, hours float64) string {
	if hours < 0 || math.IsNaN(hours) || math.IsInf(hours, 0) {
		hours = 0
	}
	minutes := int64(math.Round(hours * 60))
	if minutes < 60 {
		return l.T("duration.m", map[string]any{"M": minutes})
	}
	if minutes < 24*60 {
		h, m := minutes/60, minutes%60
		if m == 0 {
			return l.T("duration.h", map[string]any{"H": h})
		}
		return l.T("duration.h_m", map[string]any{"H": h, "M": m})
	}
	whole := int64(math.Round(hours))
	d, h := whole/24, whole%24
	if h == 0 {
		return l.T("duration.d", map[string]any{"D": d})
	}
	return l.T("duration.d_h", map[string]any{"D": d, "H": h})
}
