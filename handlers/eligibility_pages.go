package handlers

import (
	"fmt"
	"github.com/bosang/bosang/models"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// eligibleRow is one outage that hit the chosen service, and what the
// chosen role could claim for it.
type eligibleRow struct {
	outageRow
	Via    string
	Claim  string
	Window claimWindow
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
	if q := c.Request.URL.Query(); !q.Has("service") && !q.Has("role") && !q.Has("at") {
		s.render(c, http.StatusOK, "eligibility", v)
		return
	}
	// Every field is checked in one pass: the time here, service and role
	// by the domain (with a placeholder time when the time is wrong).
	var f apperr.Fields
	at := parseLocal(&f, "at", atText)
	if at == nil && atText == "" {
		f.AddMsg("at", apperr.M("handlers.affected_at_missing"))
	}
	when := time.Time{}
	if at != nil {
		when = *at
	}
	views, err := s.outages.Eligible(ctx, code, role, when)
	if err = apperr.Merge(f.Err(), err); err != nil {
		s.formError(c, "eligibility", v, err)
		return
	}
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	entry := findService(catalog, code)
	cat := categoryOf(role, entry.Service.Paid)
	d.Checked = true
	for _, o := range views {
		row := eligibleRow{outageRow: rowOf(v.L, v.Lang, o), Claim: claimText(v.L, cat, policies, o),
			Window: s.claimWindowOf(v.L, policies, o, url.Values{"service": {code}, "role": {role}})}
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

// categoryOf maps the eligibility checker's role to a claimant category;
// a user of a paid service is a paid subscriber. An unknown role gives "".
func categoryOf(role string, paid bool) models.ClaimCategory {
	switch role {
	case "merchant":
		return models.CategoryMerchant
	case "driver":
		return models.CategoryDriver
	case "partner":
		return models.CategoryPartnerBusiness
	case "user":
		if paid {
			return models.CategoryPaidSubscriber
		}
		return models.CategoryFreeUser
	}
	return ""
}

// claimText says in words what a claimant of category cat could claim for
// o under the published policy that governs it (chosen by o's start), with
// the outage's own days filled in where the rule counts them.
func claimText(l *i18n.Localizer, cat models.ClaimCategory, policies []policy.Policy, o *outage.View) string {
	p, err := policy.Select(policies, o.StartedAt)
	cr, ok := p.Categories[cat]
	if err != nil || !ok {
		return l.T("claim.no_rule")
	}
	data := map[string]any{"Rule": policy.Describe(cr).In(l.Lang())}
	start := o.StartedAt.In(kst)
	if cat == models.CategoryPartnerBusiness {
		month := float64(time.Date(start.Year(), start.Month()+1, 0, 0, 0, 0, 0, kst).Day()) * 86400
		data["Availability"] = fmt.Sprintf("%.2f", math.Max(0, 100*(1-float64(o.DurationSeconds)/month)))
	}
	text := l.T("claim."+string(cat), data)
	end := o.StartedAt.Add(time.Duration(o.DurationSeconds) * time.Second)
	if o.EndedAt != nil {
		end = *o.EndedAt
	}
	if share, ok := policy.FeeShareOf(cr.Rule, o.StartedAt, end); ok {
		text += " " + l.T("claim.fee_share", map[string]any{"Days": share.Days, "MonthDays": share.MonthDays,
			"Multiplier": share.Multiplier, "Percent": share.Percent, "Ongoing": o.Ongoing})
	}
	return text
}
