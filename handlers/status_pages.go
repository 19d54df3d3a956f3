package handlers

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
)

// outagePageRoutes registers the public outage pages and the operator ones.
func (s *server) outagePageRoutes(g *gin.RouterGroup) {
	g.GET("/status", s.statusPage)
	g.GET("/status.atom", s.statusFeed)
	g.GET("/outages/:id", s.outagePage)
	g.GET("/eligibility", s.eligibilityPage)
	s.opsPageRoutes(g)
}

// historyPageSize is how many past outages the status page lists at once.
const historyPageSize = 50

// availabilityDays is the span of the per-service availability strip.
const availabilityDays = 90

// badge is the short form of a verdict for lists.
type badge struct {
	Required bool
	Text     string
}

func verdictBadge(l *i18n.Localizer, v statute.Verdict) badge {
	switch {
	case v.Required:
		return badge{Required: true, Text: l.T("verdict.required")}
	case v.Exemption == nil:
		return badge{Text: l.T("verdict.exempt", map[string]any{"Reason": ""})}
	case v.Ongoing && *v.Exemption == statute.ExemptShortUnforeseen:
		return badge{Text: l.T("verdict.exempt_for_now")}
	}
	return badge{Text: l.T("verdict.exempt", map[string]any{"Reason": l.T("exemption." + string(*v.Exemption))})}
}

// outageRow is one outage in a list.
type outageRow struct {
	ID, Service, Features, Impacted string
	StartedAt                       time.Time
	EndedAt                         *time.Time
	Ongoing                         bool
	DurationSeconds                 int64
	Badge                           badge
}

func rowOf(l *i18n.Localizer, lang string, v *outage.View) outageRow {
	var features, impacted []string
	for _, f := range v.Features {
		features = append(features, localName(lang, f.Name, f.NameEN))
	}
	for _, d := range v.Impacted {
		impacted = append(impacted, localName(lang, d.Name, d.NameEN))
	}
	return outageRow{ID: v.ID, Service: localName(lang, v.Service.Name, v.Service.NameEN), Features: strings.Join(features, ", "),
		Impacted: strings.Join(impacted, ", "), StartedAt: v.StartedAt, EndedAt: v.EndedAt, Ongoing: v.Ongoing,
		DurationSeconds: v.DurationSeconds, Badge: verdictBadge(l, v.Notice.Verdict)}
}

func rowsOf(l *i18n.Localizer, lang string, views []*outage.View) []outageRow {
	out := make([]outageRow, len(views))
	for i, v := range views {
		out[i] = rowOf(l, lang, v)
	}
	return out
}

// availabilityRow is one service's strip of daily availability.
type availabilityRow struct {
	Code, Name, Percent, Label string
	Cells                      []availabilityCell
}

type availabilityCell struct {
	X     int
	Fill  string
	Title string
}

func percentText(p float64) string {
	if p >= 100 {
		return "100%"
	}
	return fmt.Sprintf("%.2f%%", math.Floor(p*100)/100)
}

func availabilityOf(l *i18n.Localizer, name, code string, days []outage.DayAvailability) availabilityRow {
	row := availabilityRow{Code: code, Name: name}
	var sum float64
	for i, d := range days {
		sum += d.Percent
		fill := "#2e7d32"
		switch {
		case d.Percent < 99:
			fill = "#b00020"
		case d.Percent < 100:
			fill = "#9a6700"
		}
		row.Cells = append(row.Cells, availabilityCell{X: i * 5, Fill: fill, Title: d.Day.In(kst).Format("2006-01-02") + ": " + percentText(d.Percent)})
	}
	if len(days) > 0 {
		row.Percent = percentText(sum / float64(len(days)))
	}
	row.Label = l.T("status.availability.label", map[string]any{"Service": name, "Days": len(days), "Percent": row.Percent})
	return row
}

// outageTable is a list of outages with what its template needs to label it.
type outageTable struct {
	L    *i18n.Localizer
	Lang string
	ID   string
	Rows []outageRow
}

type statusData struct {
	// Banner is the overall status in a sentence.
	Banner       string
	Services     []option
	Current      outageTable
	History      outageTable
	Next         string
	Availability []availabilityRow
}

func (s *server) statusPage(c *gin.Context) {
	v := s.view(c, "status.title")
	ctx := c.Request.Context()
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	code := c.Query("service")
	v.Form = map[string]string{"service": code, "from": c.Query("from"), "to": c.Query("to")}
	no := false
	hist := outage.Filter{Ongoing: &no, Limit: historyPageSize, After: c.Query("next")}
	var f apperr.Fields
	hist.From = queryTime(c, &f, "from")
	if hist.To = queryTime(c, &f, "to"); hist.To != nil && len(c.Query("to")) == len("2006-01-02") {
		end := hist.To.AddDate(0, 0, 1) // a date "to" includes that whole day
		hist.To = &end
	}
	if code != "" {
		if e := findService(catalog, code); e != nil {
			hist.ServiceID = e.Service.ID
		} else {
			f.AddMsg("service", apperr.M("handlers.service_unknown"))
		}
	}
	status := http.StatusOK
	if err := f.Err(); err != nil {
		v.Errors, _ = fieldErrors(err, v.Lang, "")
		status = http.StatusUnprocessableEntity
		hist = outage.Filter{Ongoing: &no, Limit: historyPageSize}
	}
	yes := true
	current, err := s.outages.List(ctx, outage.Filter{Ongoing: &yes, Limit: 500})
	if err != nil {
		s.fail(c, err)
		return
	}
	history, err := s.outages.List(ctx, hist)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := statusData{Services: serviceOptions(catalog, v.Lang, code),
		Current: outageTable{L: v.L, Lang: v.Lang, ID: "current", Rows: rowsOf(v.L, v.Lang, current)},
		History: outageTable{L: v.L, Lang: v.Lang, ID: "history", Rows: rowsOf(v.L, v.Lang, history)}}
	d.Banner, _ = statusBanner(v, len(current))
	if len(history) == historyPageSize {
		q := url.Values{}
		for _, k := range []string{"service", "from", "to"} {
			if val := c.Query(k); val != "" {
				q.Set(k, val)
			}
		}
		q.Set("next", history[len(history)-1].ID)
		d.Next = "/status?" + q.Encode()
	}
	for _, e := range catalog {
		days, err := s.outages.Availability(ctx, e.Service.ID, availabilityDays)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Availability = append(d.Availability, availabilityOf(v.L, localName(v.Lang, e.Service.Name, e.Service.NameEN), e.Service.Code, days))
	}
	v.Data = d
	s.render(c, status, "status", v)
}
