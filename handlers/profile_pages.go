package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// profilePageRoutes registers the claimant's profile forms.
func (s *server) profilePageRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	g.GET("/account/profiles", s.requireUser, claimant, s.profilesPage)
	g.POST("/account/profiles/:kind", s.requireUser, claimant, s.profileSubmit)
}

// profileKinds are the profile forms, in page order.
var profileKinds = []string{claims.ProfileMerchant, claims.ProfileDriver, claims.ProfilePaidSubscriber, claims.ProfilePartnerBusiness}

// weekdayCodes are the opening-hours keys, Monday first.
var weekdayCodes = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// profileFields are each form's text inputs (the opening hours besides).
var profileFields = map[string][]string{
	claims.ProfileMerchant:        {"business_number", "business_name", "business_type", "small_business_certificate"},
	claims.ProfileDriver:          {"driver_kind", "vehicle_number", "membership.name", "membership.monthly_fee_krw"},
	claims.ProfilePaidSubscriber:  {"service_id", "monthly_fee_krw"},
	claims.ProfilePartnerBusiness: {"company", "service_id", "monthly_fee_krw"},
}

// dayRow is one weekday's opening hours on the merchant form.
type dayRow struct {
	Code, Label, Open, Close string
}

type profilesData struct {
	Stored         map[string]bool
	Days           []dayRow
	DriverKinds    []option
	PaidServices   []option
	PartnerService []option
	LicenceStored  bool
	Saved          string
}

func (s *server) profilesPage(c *gin.Context) {
	v := s.view(c, "profiles.title")
	if kind := c.Query("saved"); slices.Contains(profileKinds, kind) {
		v.Form["saved"] = v.L.T("profiles.saved", map[string]any{"Kind": v.L.T("profiles." + kind)})
	}
	s.renderProfiles(c, http.StatusOK, v, "")
}

// renderProfiles shows the four forms: the one named posted keeps v.Form,
// the others show what is stored.
func (s *server) renderProfiles(c *gin.Context, status int, v *view, posted string) {
	ctx := c.Request.Context()
	stored, err := s.claims.Profiles(ctx, v.User)
	if err != nil {
		s.fail(c, err)
		return
	}
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := profilesData{Stored: map[string]bool{}, Saved: v.Form["saved"]}
	for _, kind := range profileKinds {
		doc, ok := stored[kind].(map[string]any)
		d.Stored[kind] = ok
		if kind == claims.ProfileDriver && ok {
			d.LicenceStored = docText(doc, "licence_number") != ""
		}
		if kind == posted || !ok {
			continue
		}
		for _, name := range profileFields[kind] {
			v.Form[kind+"."+name] = docText(doc, name)
		}
		if kind == claims.ProfileMerchant {
			hours, _ := doc["opening_hours"].(map[string]any)
			for _, day := range weekdayCodes {
				if span, _ := hours[day].([]any); len(span) == 2 {
					v.Form["merchant.open."+day], v.Form["merchant.close."+day] = fmt.Sprint(span[0]), fmt.Sprint(span[1])
				}
			}
		}
	}
	for _, day := range weekdayCodes {
		d.Days = append(d.Days, dayRow{Code: day, Label: v.L.T("profiles.day." + day), Open: v.Form["merchant.open."+day], Close: v.Form["merchant.close."+day]})
	}
	for _, k := range []string{"taxi", "designated"} {
		d.DriverKinds = append(d.DriverKinds, option{Value: k, Label: v.L.T("profiles.driver_kind." + k), Selected: v.Form["driver.driver_kind"] == k})
	}
	for _, e := range catalog {
		name := localName(v.Lang, e.Service.Name, e.Service.NameEN)
		if e.Service.Paid {
			d.PaidServices = append(d.PaidServices, option{Value: e.Service.Code, Label: name, Selected: v.Form["paid_subscriber.service_id"] == e.Service.Code})
		}
		d.PartnerService = append(d.PartnerService, option{Value: e.Service.Code, Label: name, Selected: v.Form["partner_business.service_id"] == e.Service.Code})
	}
	v.Data = d
	s.render(c, status, "profiles", v)
}

// docText is a stored profile value as form text; nested names use a dot.
func docText(doc map[string]any, name string) string {
	var val any = doc
	for _, part := range strings.Split(name, ".") {
		m, ok := val.(map[string]any)
		if !ok {
			return ""
		}
		val = m[part]
	}
	switch x := val.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "yes"
		}
		return ""
	case float64:
		if x == 0 {
			return ""
		}
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprint(val)
}

// profileSubmit saves one profile kind from its form.
func (s *server) profileSubmit(c *gin.Context) {
	kind := c.Param("kind")
	if !slices.Contains(profileKinds, kind) {
		s.fail(c, errNoRoute)
		return
	}
	v := s.view(c, "profiles.title")
	for _, name := range profileFields[kind] {
		v.Form[kind+"."+name] = strings.TrimSpace(c.PostForm(name))
	}
	var f apperr.Fields
	doc := map[string]any{}
	fee := func(name string) int64 {
		n, ok := parseWon(c.PostForm(name))
		if !ok {
			f.AddMsg(name, apperr.M("handlers.monthly_fee_digits"))
		}
		return n
	}
	switch kind {
	case claims.ProfileMerchant:
		hours := map[string][]string{}
		for _, day := range weekdayCodes {
			open, closing := strings.TrimSpace(c.PostForm("open."+day)), strings.TrimSpace(c.PostForm("close."+day))
			v.Form["merchant.open."+day], v.Form["merchant.close."+day] = open, closing
			switch {
			case open != "" && closing != "":
				hours[day] = []string{shortTime(open), shortTime(closing)}
			case open != "" || closing != "":
				f.AddMsg("opening_hours", apperr.M("handlers.opening_hours_both"))
			}
		}
		doc = map[string]any{"business_number": v.Form["merchant.business_number"], "business_name": v.Form["merchant.business_name"],
			"business_type": v.Form["merchant.business_type"], "opening_hours": hours,
			"small_business_certificate": v.Form["merchant.small_business_certificate"] == "yes"}
	case claims.ProfileDriver:
		doc = map[string]any{"driver_kind": v.Form["driver.driver_kind"], "vehicle_number": v.Form["driver.vehicle_number"],
			"membership": map[string]any{"name": v.Form["driver.membership.name"], "monthly_fee_krw": fee("membership.monthly_fee_krw")}}
		if n := strings.TrimSpace(c.PostForm("licence_number")); n != "" {
			doc["licence_number"] = n
		}
	case claims.ProfilePaidSubscriber:
		doc = map[string]any{"service_id": v.Form["paid_subscriber.service_id"], "monthly_fee_krw": fee("monthly_fee_krw")}
	case claims.ProfilePartnerBusiness:
		doc = map[string]any{"company": v.Form["partner_business.company"], "service_id": v.Form["partner_business.service_id"],
			"monthly_fee_krw": fee("monthly_fee_krw")}
	}
	err := f.Err()
	if err == nil {
		raw, _ := json.Marshal(doc)
		_, err = s.claims.PutProfile(c.Request.Context(), currentUser(c), kind, raw)
	}
	if err != nil {
		errs, ok := fieldErrors(err, v.Lang, kind+".")
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		s.renderProfiles(c, http.StatusUnprocessableEntity, v, kind)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/profiles?saved="+kind+"#"+kind)
}

// shortTime trims the seconds a time input may send ("09:00:00").
func shortTime(t string) string {
	if len(t) == len("15:04:05") {
		return t[:5]
	}
	return t
}
