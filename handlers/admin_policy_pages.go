package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bosang/bosang/models"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/policy"
)

func init() {
	pageNames = append(pageNames, "admin_policies", "admin_policy_compare", "admin_policy_new")
}

func (s *server) adminPolicyPageRoutes(g *gin.RouterGroup) {
	admin := s.requireRole() // admins only
	g.GET("/admin/policies", s.requireUser, admin, s.adminPoliciesPage)
	g.GET("/admin/policies/compare", s.requireUser, admin, s.adminPolicyComparePage)
	g.GET("/admin/policies/new", s.requireUser, admin, s.adminPolicyNewPage)
	g.POST("/admin/policies/preview", s.requireUser, admin, s.adminPolicyPreviewSubmit)
	g.POST("/admin/policies", s.requireUser, admin, s.adminPolicyPublishSubmit)
}

// policyRow is one version on the list.
type policyRow struct {
	Version       int
	Name          string
	EffectiveFrom string
	Window        string
}

type adminPoliciesView struct {
	Policies []policyRow
	Options  []option // for the compare form's selects
	A, B     string
}

func (s *server) adminPoliciesPage(c *gin.Context) {
	v := s.view(c, "admin.policies.title")
	if c.Query("done") == "published" {
		v.Form["notice"] = v.L.T("admin.policies.published", map[string]any{"Version": c.Query("version")})
	}
	all, err := s.claims.Policies(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	d := adminPoliciesView{}
	for i := len(all) - 1; i >= 0; i-- { // newest first
		p := all[i]
		d.Policies = append(d.Policies, policyRow{Version: p.Version, Name: p.Name, EffectiveFrom: kstText(p.EffectiveFrom), Window: windowText(v, p)})
		d.Options = append(d.Options, option{Value: strconv.Itoa(p.Version), Label: fmt.Sprintf("v%d · %s", p.Version, p.Name)})
	}
	if len(all) >= 2 {
		d.A, d.B = strconv.Itoa(all[len(all)-2].Version), strconv.Itoa(all[len(all)-1].Version)
	}
	v.Data = d
	s.render(c, http.StatusOK, "admin_policies", v)
}

// ruleRow is one category's rule under two versions, as readable text.
type ruleRow struct {
	Category, Old, New string
	Changed            bool
}

// compareRules describes each category's rule under a and b in lang; a
// may be nil (nothing before).
func compareRules(v *view, a *policy.Policy, b policy.Policy) []ruleRow {
	var rows []ruleRow
	for _, cat := range models.ClaimCategories() {
		row := ruleRow{Category: v.L.T("claims.category." + cat.String())}
		if cr, ok := b.Categories[cat]; ok {
			row.New = policy.Describe(cr).In(v.Lang)
		}
		if a != nil {
			if cr, ok := a.Categories[cat]; ok {
				row.Old = policy.Describe(cr).In(v.Lang)
			}
		}
		row.Changed = row.Old != row.New
		rows = append(rows, row)
	}
	return rows
}

type policyCompareView struct {
	A, B             policy.Policy
	AWindow, BWindow string
	Rows             []ruleRow
}

// windowText is p's filing window, "청구 기간 30일".
func windowText(v *view, p policy.Policy) string {
	return v.L.T("admin.policies.days", map[string]any{"Days": p.WindowDays()})
}

// adminPolicyComparePage shows two versions side by side (?a=&b=).
func (s *server) adminPolicyComparePage(c *gin.Context) {
	v := s.view(c, "admin.policies.compare.title")
	all, err := s.claims.Policies(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	find := func(q string) *policy.Policy {
		n, err := strconv.Atoi(q)
		for i := range all {
			if err == nil && all[i].Version == n {
				return &all[i]
			}
		}
		return nil
	}
	a, b := find(c.Query("a")), find(c.Query("b"))
	if a == nil || b == nil {
		s.fail(c, fmt.Errorf("compare policies %q and %q: %w", c.Query("a"), c.Query("b"), apperr.ErrNotFound))
		return
	}
	v.Data = policyCompareView{A: *a, B: *b, AWindow: windowText(v, *a), BWindow: windowText(v, *b), Rows: compareRules(v, a, *b)}
	s.render(c, http.StatusOK, "admin_policy_compare", v)
}

// policyNewView is the publish form and, once previewed, what publishing
// would change.
type policyNewView struct {
	Problems     []string
	Preview      bool
	Title        string
	Version      int
	Previous     int
	Rows         []ruleRow
	RepricedText string
	PublishLabel string
}

// adminPolicyNewPage shows the form, filled in with the latest version's
// JSON to edit.
func (s *server) adminPolicyNewPage(c *gin.Context) {
	v := s.view(c, "admin.policies.new.title")
	all, err := s.claims.Policies(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(all) > 0 {
		p := all[len(all)-1]
		p.Version = 0
		p.Name = ""
		b, _ := json.MarshalIndent(p, "", "  ") // a Policy always marshals
		v.Form["policy"] = string(b)
	}
	v.Data = policyNewView{}
	s.render(c, http.StatusOK, "admin_policy_new", v)
}

// parsePolicyForm reads the policy JSON of the form; a syntax or type
// mistake is a validation error on the field, with where it is.
func parsePolicyForm(raw string) (policy.Policy, error) {
	var p policy.Policy
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return p, apperr.InvalidMsg("policy", apperr.M("handlers.policy_json_syntax", map[string]any{"offset": se.Offset, "error": se.Error()}))
		case errors.As(err, &te):
			return p, apperr.InvalidMsg("policy", apperr.M("handlers.policy_json_type", map[string]any{"field": te.Field, "type": te.Type.String()}))
		}
		return p, apperr.InvalidMsg("policy", apperr.M("handlers.policy_json_unreadable", map[string]any{"error": err.Error()}))
	}
	return p, nil
}

// policyProblems lists err's field problems as "field: message", sorted.
func policyProblems(err error, lang string) ([]string, bool) {
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	var out []string
	for k, m := range localize(ve.Fields, lang) {
		if k == "policy" {
			out = append(out, m)
			continue
		}
		out = append(out, k+": "+m)
	}
	sort.Strings(out)
	return out, true
}

// adminPolicyPreviewSubmit checks the JSON and shows what publishing it
// would change, with the form to confirm; or the form again with every
// problem.
func (s *server) adminPolicyPreviewSubmit(c *gin.Context) {
	v := s.view(c, "admin.policies.new.title")
	v.Form["policy"] = c.PostForm("policy")
	p, err := parsePolicyForm(v.Form["policy"])
	var pv claims.PublishPreview
	if err == nil {
		pv, err = s.claims.PreviewPublish(c.Request.Context(), p)
	}
	if err != nil {
		s.policyFormError(c, v, err)
		return
	}
	ver := map[string]any{"Version": pv.Policy.Version, "Name": pv.Policy.Name, "Count": pv.Repriced}
	v.Data = policyNewView{Preview: true, Title: v.L.T("admin.policies.preview.title", ver), Version: pv.Policy.Version,
		Previous: versionOf(pv.Previous), Rows: compareRules(v, pv.Previous, pv.Policy),
		RepricedText: v.L.T("admin.policies.preview.repriced", ver), PublishLabel: v.L.T("admin.policies.publish.submit", ver)}
	s.render(c, http.StatusOK, "admin_policy_new", v)
}

// adminPolicyPublishSubmit publishes the confirmed policy.
func (s *server) adminPolicyPublishSubmit(c *gin.Context) {
	v := s.view(c, "admin.policies.new.title")
	v.Form["policy"] = c.PostForm("policy")
	p, err := parsePolicyForm(v.Form["policy"])
	if err == nil {
		p, _, err = s.claims.Publish(c.Request.Context(), currentUser(c), p)
	}
	if err != nil {
		s.policyFormError(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/policies?done=published&version="+strconv.Itoa(p.Version))
}

func (s *server) policyFormError(c *gin.Context, v *view, err error) {
	problems, ok := policyProblems(err, v.Lang)
	if !ok {
		s.fail(c, err)
		return
	}
	v.Errors["policy"] = v.L.T("admin.policies.new.invalid")
	v.Data = policyNewView{Problems: problems}
	s.render(c, classify(err).status, "admin_policy_new", v)
}

func versionOf(p *policy.Policy) int {
	if p == nil {
		return 0
	}
	return p.Version
}
