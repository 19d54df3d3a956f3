package handlers

import (
	"context"
	"github.com/bosang/bosang/models"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// outageChoice is one outage the filing form offers.
type outageChoice struct {
	ID, Label, Impacted string
	// Window says until when claims may be filed, or that they no longer may.
	Window                    string
	Ongoing, Selected, Closed bool
}

// categoryChoice is one claimant category with how it is priced.
type categoryChoice struct {
	Value, Label, Explain string
	Selected              bool
}

type claimFormData struct {
	Key           string
	Outages       []outageChoice
	Categories    []categoryChoice
	Banks         []option
	EvidenceKinds []option
	Monetary      string
	FileAgain     bool
	Duplicate     *claims.DuplicateError
	// Other are errors about no field on the form.
	Other []string
}

// claimFormFields are the error keys the form shows next to a field.
var claimFormFields = []string{"outage_id", "category", "profile.merchant", "monetary", "description", "claimed_amount_krw",
	"details.monthly_fee_krw", "details.opening_hours", "evidence_kind", "file", "payout_account.bank", "payout_account.number",
	"payout_account.holder", "consent"}

func (s *server) newClaimPage(c *gin.Context) {
	v := s.view(c, "claims.new.title")
	q := c.Request.URL.Query()
	v.Form = map[string]string{"outage_id": q.Get("outage"), "category": s.categoryForRole(c.Request.Context(), q.Get("role"), q.Get("service")),
		"monetary": "yes"}
	s.renderClaimForm(c, http.StatusOK, v, uuid.NewString())
}

// categoryForRole maps the eligibility checker's role (and service, for
// users of paid services) to a claimant category.
func (s *server) categoryForRole(ctx context.Context, role, service string) string {
	paid := false
	if role == "user" {
		if catalog, err := s.outages.Catalog(ctx); err == nil {
			if e := findService(catalog, service); e != nil {
				paid = e.Service.Paid
			}
		}
	}
	return string(categoryOf(role, paid))
}

// renderClaimForm renders the filing form with v.Form, v.Errors and the
// form's idempotency key.
func (s *server) renderClaimForm(c *gin.Context, status int, v *view, key string) {
	ctx := c.Request.Context()
	d := claimFormData{Key: key, Monetary: v.Form["monetary"], FileAgain: v.Form["file_attached"] != "" && len(v.Errors) > 0}
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	outages, err := s.filingOutages(ctx, v.Form["outage_id"])
	if err != nil {
		s.fail(c, err)
		return
	}
	var named *outage.View
	for _, o := range outages {
		row := outageChoice{ID: o.ID, Label: outageLabel(v.Lang, o), Ongoing: o.Ongoing, Selected: o.ID == v.Form["outage_id"]}
		var names []string
		for _, i := range o.Impacted {
			names = append(names, localName(v.Lang, i.Name, i.NameEN))
		}
		row.Impacted = strings.Join(names, ", ")
		w := s.claimWindowOf(v.L, policies, o, nil)
		row.Window, row.Closed = w.Text, w.Closed
		// A closed outage is shown, so the claimant learns why, but cannot be chosen.
		row.Selected = row.Selected && !w.Closed
		if o.ID == v.Form["outage_id"] {
			named = o // the rules of the outage named, chosen or closed
		}
		d.Outages = append(d.Outages, row)
	}
	p, _ := outage.FormPolicy(policies, named, s.now())
	for _, cat := range models.ClaimCategories() {
		ch := categoryChoice{Value: string(cat), Label: v.L.T("claims.category." + string(cat)), Selected: v.Form["category"] == string(cat)}
		if cr, ok := p.Categories[cat]; ok {
			ch.Explain = policy.Describe(cr).In(v.Lang)
		}
		d.Categories = append(d.Categories, ch)
	}
	d.Banks = bankOptions(v.Lang, v.Form["payout_account.bank"])
	for _, k := range claims.EvidenceKinds {
		d.EvidenceKinds = append(d.EvidenceKinds, option{Value: k, Label: v.L.T("claims.evidence." + k), Selected: v.Form["evidence_kind"] == k})
	}
	for k, msg := range v.Errors {
		if !slices.Contains(claimFormFields, k) && k != "claim" {
			d.Other = append(d.Other, msg)
		}
	}
	slices.Sort(d.Other)
	if prev, ok := v.Data.(*claims.DuplicateError); ok {
		d.Duplicate = prev
	}
	v.Data = &d
	s.render(c, status, "claim_new", v)
}

// filingOutages are the outages a claim can be filed for
// (outage.ListedForFiling), and the one the form names.
func (s *server) filingOutages(ctx context.Context, selected string) ([]*outage.View, error) {
	all, err := s.outages.List(ctx, outage.Filter{Limit: 500})
	if err != nil {
		return nil, err
	}
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []*outage.View
	for _, o := range all {
		if outage.ListedForFiling(policies, o, selected, now) {
			out = append(out, o)
		}
	}
	if selected != "" && !slices.ContainsFunc(out, func(o *outage.View) bool { return o.ID == selected }) {
		if o, err := s.outages.Get(ctx, selected); err == nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// outageLabel names an outage for a radio button: service, affected
// features and when.
func outageLabel(lang string, o *outage.View) string {
	var features []string
	for _, f := range o.Features {
		features = append(features, localName(lang, f.Name, f.NameEN))
	}
	label := localName(lang, o.Service.Name, o.Service.NameEN)
	if len(features) > 0 {
		label += " (" + strings.Join(features, ", ") + ")"
	}
	return label + " · " + kstText(o.StartedAt)
}
