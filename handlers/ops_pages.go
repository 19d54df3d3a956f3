package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
)

// opsPageRoutes registers the operator pages: logged in, operator or admin.
func (s *server) opsPageRoutes(g *gin.RouterGroup) {
	ops := g.Group("/ops", s.requireUser, s.requireRole(models.RoleOperator))
	ops.GET("", s.opsPage)
	ops.GET("/outages/new", s.newOutagePage)
	ops.POST("/outages", s.createOutageSubmit)
	ops.GET("/outages/:id/edit", s.editOutagePage)
	ops.POST("/outages/:id/edit", s.editOutageSubmit)
	ops.POST("/outages/:id/updates", s.addUpdateSubmit)
	ops.POST("/outages/:id/notices", s.recordNoticeSubmit)
	ops.GET("/outages/:id/notice-draft", s.noticeDraftPage)
}

// dueRow is one notice owed and not yet recorded.
type dueRow struct {
	OutageID, Service, Kind string
	StartedAt, DueAt        time.Time
	Overdue                 bool
}

type opsData struct {
	Due    []dueRow
	Recent []outageRow
}

func (s *server) opsPage(c *gin.Context) {
	v := s.view(c, "ops.title")
	ctx := c.Request.Context()
	duties, err := s.outages.Due(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	recent, err := s.outages.List(ctx, outage.Filter{Limit: 20})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := opsData{Recent: rowsOf(v.L, v.Lang, recent)}
	for _, du := range duties {
		d.Due = append(d.Due, dueRow{OutageID: du.Outage.ID, Service: localName(v.Lang, du.Outage.Service.Name, du.Outage.Service.NameEN),
			Kind: v.L.T("notice.kind." + string(du.Kind)), StartedAt: du.Outage.StartedAt, DueAt: du.DueAt, Overdue: du.Overdue})
	}
	// Overdue first, each group by due time (Due sorts by due time).
	slices.SortStableFunc(d.Due, func(a, b dueRow) int {
		switch {
		case a.Overdue == b.Overdue:
			return 0
		case a.Overdue:
			return -1
		}
		return 1
	})
	v.Data = d
	s.render(c, http.StatusOK, "ops", v)
}

// featureOption is one feature checkbox with its optional restoration time.
type featureOption struct {
	Code, Name, Restored, Error string
	Checked                     bool
}

type outageFormData struct {
	Services []option // step 1: choose the service
	Service  *option  // step 2: the chosen one
	Features []featureOption
	Causes   []option
	ID       string
	Version  int
}

// outageForm builds the form for entry from v.Form (and restored, the
// per-feature restoration inputs).
func (s *server) outageForm(v *view, entry *outage.CatalogEntry, checked []string, restored map[string]string) outageFormData {
	d := outageFormData{Service: &option{Value: entry.Service.Code, Label: localName(v.Lang, entry.Service.Name, entry.Service.NameEN)}}
	for _, f := range entry.Features {
		d.Features = append(d.Features, featureOption{Code: f.Code, Name: localName(v.Lang, f.Name, f.NameEN), Checked: slices.Contains(checked, f.Code),
			Restored: restored[f.Code], Error: v.Errors["feature_restored_at."+f.Code]})
	}
	for _, cause := range []string{"overload", "equipment_fault", "error", "fire", "disaster", "carrier_line", "announced_maintenance", "other"} {
		d.Causes = append(d.Causes, option{Value: cause, Label: v.L.T("cause." + cause), Selected: v.Form["cause"] == cause})
	}
	return d
}

func (s *server) newOutagePage(c *gin.Context) {
	v := s.view(c, "ops.new.title")
	catalog, err := s.outages.Catalog(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	code := c.Query("service")
	entry := findService(catalog, code)
	if entry == nil {
		status := http.StatusOK
		if code != "" {
			v.Errors["service"] = v.L.T("ops.new.unknown_service")
			status = http.StatusUnprocessableEntity
		}
		v.Data = outageFormData{Services: serviceOptions(catalog, v.Lang, code)}
		s.render(c, status, "outage_form", v)
		return
	}
	v.Form["cause"] = "error"
	v.Data = s.outageForm(v, entry, nil, nil)
	s.render(c, http.StatusOK, "outage_form", v)
}

// postedOutage is the create/edit form as submitted.
type postedOutage struct {
	in       outage.NewOutage
	restored map[string]string
	errs     apperr.Fields
}

// readOutageForm reads the outage form fields for entry into in and v.Form;
// times that do not parse are errors in p.errs.
func readOutageForm(c *gin.Context, v *view, entry *outage.CatalogEntry) *postedOutage {
	p := &postedOutage{restored: map[string]string{}}
	features := c.PostFormArray("features")
	if features == nil {
		features = []string{}
	}
	p.in = outage.NewOutage{ServiceID: entry.Service.ID, Features: features, Cause: c.PostForm("cause"),
		CriticalFacility: c.PostForm("critical_facility") != "", Summary: strings.TrimSpace(c.PostForm("summary")), Regions: []string{}}
	for _, r := range strings.Split(c.PostForm("regions"), ",") {
		if r = strings.TrimSpace(r); r != "" {
			p.in.Regions = append(p.in.Regions, r)
		}
	}
	p.in.StartedAt = parseLocal(&p.errs, "started_at", c.PostForm("started_at"))
	p.in.EndedAt = parseLocal(&p.errs, "ended_at", c.PostForm("ended_at"))
	for _, f := range entry.Features {
		val := c.PostForm("restored_at." + f.Code)
		p.restored[f.Code] = val
		if val == "" || !slices.Contains(features, f.Code) {
			continue // a time for an unchecked feature means nothing
		}
		if t := parseLocal(&p.errs, "feature_restored_at."+f.Code, val); t != nil {
			if p.in.FeatureRestored == nil {
				p.in.FeatureRestored = map[string]time.Time{}
			}
			p.in.FeatureRestored[f.Code] = *t
		}
	}
	v.Form = map[string]string{"started_at": c.PostForm("started_at"), "ended_at": c.PostForm("ended_at"), "cause": p.in.Cause,
		"regions": c.PostForm("regions"), "summary": c.PostForm("summary"), "reason": c.PostForm("reason")}
	if p.in.CriticalFacility {
		v.Form["critical_facility"] = "on"
	}
	return p
}

func (s *server) createOutageSubmit(c *gin.Context) {
	v := s.view(c, "ops.new.title")
	catalog, err := s.outages.Catalog(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	entry := findService(catalog, c.PostForm("service"))
	if entry == nil {
		v.Errors["service"] = v.L.T("ops.new.unknown_service")
		v.Data = outageFormData{Services: serviceOptions(catalog, v.Lang, "")}
		s.render(c, http.StatusUnprocessableEntity, "outage_form", v)
		return
	}
	p := readOutageForm(c, v, entry)
	err = p.errs.Err()
	var o *outage.View
	if err == nil {
		o, err = s.outages.Create(c.Request.Context(), currentUser(c), p.in)
	}
	if err != nil {
		s.outageFormError(c, v, entry, p, err, false)
		return
	}
	c.Redirect(http.StatusSeeOther, "/outages/"+o.ID)
}

// outageFormError re-renders the outage form with err's field errors.
// For a correction (edit) it keeps the outage id and the posted version.
func (s *server) outageFormError(c *gin.Context, v *view, entry *outage.CatalogEntry, p *postedOutage, err error, edit bool) {
	if errs, ok := fieldErrors(err, v.Lang, ""); ok {
		v.Errors = errs
	}
	d := s.outageForm(v, entry, p.in.Features, p.restored)
	if edit {
		d.ID, d.Version = c.Param("id"), atoi(c.PostForm("version"))
	}
	v.Data = d
	s.formError(c, "outage_form", v, err)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// editTarget loads outage :id and its service's catalogue entry.
func (s *server) editTarget(c *gin.Context) (*outage.View, *outage.CatalogEntry, bool) {
	ctx := c.Request.Context()
	o, err := s.outages.Get(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	entry := findService(catalog, o.Service.Code)
	if entry == nil {
		s.fail(c, errNoRoute)
		return nil, nil, false
	}
	return o, entry, true
}

func (s *server) editOutagePage(c *gin.Context) {
	v := s.view(c, "ops.edit.title")
	o, entry, ok := s.editTarget(c)
	if !ok {
		return
	}
	v.Form = map[string]string{"started_at": localInput(&o.StartedAt), "ended_at": localInput(o.EndedAt), "cause": o.Cause,
		"regions": strings.Join(o.Regions, ", "), "summary": o.Summary}
	if o.CriticalFacility {
		v.Form["critical_facility"] = "on"
	}
	var checked []string
	restored := map[string]string{}
	for _, f := range o.Features {
		checked = append(checked, f.Code)
		// Only a feature's own restoration; one equal to the outage's end
		// follows the end.
		if f.RestoredAt != nil && (o.EndedAt == nil || !f.RestoredAt.Equal(*o.EndedAt)) {
			restored[f.Code] = localInput(f.RestoredAt)
		}
	}
	d := s.outageForm(v, entry, checked, restored)
	d.ID, d.Version = o.ID, o.Version
	v.Data = d
	s.render(c, http.StatusOK, "outage_form", v)
}

func (s *server) editOutageSubmit(c *gin.Context) {
	v := s.view(c, "ops.edit.title")
	o, entry, ok := s.editTarget(c)
	if !ok {
		return
	}
	p := readOutageForm(c, v, entry)
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.fail(c, &malformed{err})
		return
	}
	if p.in.StartedAt == nil && strings.TrimSpace(c.PostForm("started_at")) == "" {
		p.errs.AddMsg("started_at", apperr.M("handlers.started_at_missing"))
	}
	if p.in.EndedAt == nil && strings.TrimSpace(c.PostForm("ended_at")) == "" && o.EndedAt != nil {
		p.errs.AddMsg("ended_at", apperr.M("handlers.ended_at_cleared"))
	}
	err = p.errs.Err()
	if err == nil {
		patch := outage.Patch{Features: p.in.Features, FeatureRestored: p.in.FeatureRestored, Regions: p.in.Regions,
			StartedAt: p.in.StartedAt, EndedAt: p.in.EndedAt, Cause: &p.in.Cause, CriticalFacility: &p.in.CriticalFacility,
			Summary: &p.in.Summary, Reason: strings.TrimSpace(c.PostForm("reason")), Version: &version}
		_, err = s.outages.Correct(c.Request.Context(), currentUser(c), o.ID, patch)
	}
	if err != nil {
		s.outageFormError(c, v, entry, p, err, true)
		return
	}
	c.Redirect(http.StatusSeeOther, "/outages/"+o.ID)
}

func (s *server) addUpdateSubmit(c *gin.Context) {
	body := c.PostForm("body")
	_, err := s.outages.AddUpdate(c.Request.Context(), currentUser(c), c.Param("id"), body)
	if err != nil {
		v := s.view(c, "outage.title")
		errs, ok := fieldErrors(err, v.Lang, "update.")
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors, v.Form = errs, map[string]string{"update.body": body}
		s.renderOutage(c, v, http.StatusUnprocessableEntity)
		return
	}
	c.Redirect(http.StatusSeeOther, "/outages/"+c.Param("id")+"#timeline")
}

func (s *server) recordNoticeSubmit(c *gin.Context) {
	var f apperr.Fields
	channels := c.PostFormArray("channels")
	in := outage.NewNotice{Kind: c.PostForm("kind"), Channels: channels, Body: c.PostForm("body"),
		SentAt: parseLocal(&f, "sent_at", c.PostForm("sent_at"))}
	err := f.Err()
	if err == nil {
		_, err = s.outages.RecordNotice(c.Request.Context(), currentUser(c), c.Param("id"), in)
	}
	if err != nil {
		v := s.view(c, "outage.title")
		errs, ok := fieldErrors(err, v.Lang, "notice.")
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		v.Form = map[string]string{"notice.kind": in.Kind, "notice.channels": strings.Join(channels, ","),
			"notice.sent_at": c.PostForm("sent_at"), "notice.body": in.Body}
		s.renderOutage(c, v, http.StatusUnprocessableEntity)
		return
	}
	c.Redirect(http.StatusSeeOther, "/outages/"+c.Param("id")+"#notices")
}

type draftData struct {
	OutageID, Service, Kind, KindLabel string
	// Policy says which compensation policy the draft states.
	Policy string
	Draft  *outage.Draft
}

func (s *server) noticeDraftPage(c *gin.Context) {
	v := s.view(c, "draft.title")
	ctx := c.Request.Context()
	kind := c.Query("kind")
	if _, err := statute.ParseNoticeKind(kind); err != nil {
		kind = "interruption"
	}
	o, err := s.outages.Get(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	draft, err := s.draft(ctx, o.ID, kind)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := draftData{OutageID: o.ID, Service: localName(v.Lang, o.Service.Name, o.Service.NameEN), Kind: kind,
		KindLabel: v.L.T("notice.kind." + kind), Draft: draft}
	if draft.PolicyVersion > 0 {
		d.Policy = v.L.T("draft.policy", map[string]any{"Version": draft.PolicyVersion})
	}
	v.Data = d
	s.render(c, http.StatusOK, "notice_draft", v)
}
