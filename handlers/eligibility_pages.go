package handlers

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/outage"
)

// eligibleRow is one outage that hit the chosen service, and what the
// chosen role could claim for it.
type eligibleRow struct {
	outageRow
	Via      string
	Claim    string
	ClaimURL string
}

type eligibilityData struct {
	Services []option
	Roles    []option
	Checked  bool
	Role     string
	Results  []eligibleRow
}

func (s *server) eligibilityPage(c *gin.Context) {
	v := s.view(c, "eligibility.title")
	ctx := c.Request.Context()
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	code, role, atText := c.Query("service"), c.Query("role"), c.Query("at")
	v.Form = map[string]string{"service": code, "role": role, "at": atText}
	d := eligibilityData{Services: serviceOptions(catalog, v.Lang, code), Role: role}
	for _, r := range outage.Roles {
		d.Roles = append(d.Roles, option{Value: r, Label: v.L.T("claimant_role." + r), Selected: r == role})
	}
	v.Data = &d
	if code == "" && role == "" && atText == "" {
		s.render(c, http.StatusOK, "eligibility", v)
		return
	}
	var f apperr.Fields
	at := parseLocal(&f, "at", atText)
	if at == nil && atText == "" {
		f.Add("at", "장애를 겪은 날짜와 시각을 입력하세요.", "Enter the date and time you were affected.")
	}
	if err := f.Err(); err != nil {
		s.formError(c, "eligibility", v, err)
		return
	}
	views, err := s.outages.Eligible(ctx, code, role, *at)
	if err != nil {
		s.formError(c, "eligibility", v, err)
		return
	}
	entry := findService(catalog, code)
	d.Checked = true
	for _, o := range views {
		row := eligibleRow{outageRow: rowOf(v.L, v.Lang, o), Claim: claimText(v.L, role, entry.Service.Paid, o),
			ClaimURL: "/claims?" + url.Values{"outage": {o.ID}, "service": {code}, "role": {role}}.Encode()}
		if o.ServiceID != entry.Service.ID {
			row.Via = viaText(v.Lang, o, entry)
		}
		d.Results = append(d.Results, row)
	}
	s.render(c, http.StatusOK, "eligibility", v)
}

// viaText names the feature of another service through which o hit entry.
func viaText(lang string, o *outage.View, entry *outage.CatalogEntry) string {
	for _, dep := range entry.DependsOn {
		if dep.ServiceID != o.ServiceID {
			continue
		}
		for _, f := range o.Features {
			if f.Code == dep.FeatureCode {
				return localName(lang, o.Service.Name, o.Service.NameEN) + " · " + localName(lang, f.Name, f.NameEN)
			}
		}
	}
	return localName(lang, o.Service.Name, o.Service.NameEN)
}

// claimText says in words what a claimant in role could claim for o: the
// default rules of DOMAIN.md's compensation policy, with the outage's own
// days filled in.
func claimText(l *i18n.Localizer, role string, paid bool, o *outage.View) string {
	start := o.StartedAt.In(kst)
	monthDays := time.Date(start.Year(), start.Month()+1, 0, 0, 0, 0, 0, kst).Day()
	days := int(math.Ceil(float64(o.DurationSeconds) / 86400))
	days = max(days, 1)
	data := map[string]any{"Days": days, "MonthDays": monthDays}
	switch role {
	case "user":
		if !paid {
			return l.T("claim.user.free")
		}
		data["Percent"] = fmt.Sprintf("%.1f", float64(days)/float64(monthDays)*3*100)
		return l.T("claim.user.paid", data)
	case "merchant":
		return l.T("claim.merchant")
	case "driver":
		return l.T("claim.driver", data)
	case "partner":
		month := float64(monthDays) * 86400
		data["Availability"] = fmt.Sprintf("%.2f", math.Max(0, 100*(1-float64(o.DurationSeconds)/month)))
		return l.T("claim.partner", data)
	}
	return ""
}
