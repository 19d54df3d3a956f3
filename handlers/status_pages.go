package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
)

// outagePageRoutes registers the public outage pages and the operator ones.
func (s *server) outagePageRoutes(g *gin.RouterGroup) {
	g.GET("/status", s.statusPage)
	g.GET("/outages/:id", s.outagePage)
	g.GET("/eligibility", s.eligibilityPage)
	s.opsPageRoutes(g)
}

// historyPageSize is how many past outages the status page lists at once.
const historyPageSize = 50

// availabilityDays is the span of the per-service availability strip.
const availabilityDays = 90

// kstText shows a time.Time or *time.Time in KST; nil and zero are "".
func kstText(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.In(kst).Format("2006-01-02 15:04 KST")
	case *time.Time:
		if t == nil {
			return ""
		}
		return kstText(*t)
	}
	return ""
}

// localInput is t as an <input type="datetime-local"> value in KST, with
// seconds only when it has any, so a round trip through a form keeps it.
func localInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	k := t.In(kst)
	if k.Second() != 0 {
		return k.Format("2006-01-02T15:04:05")
	}
	return k.Format("2006-01-02T15:04")
}

// parseLocal reads a datetime-local value as KST. Empty is nil; a value that
// does not parse is reported on f under name.
func parseLocal(f *apperr.Fields, name, value string) *time.Time {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, value, kst); err == nil {
			return &t
		}
	}
	f.Add(name, "날짜와 시각을 2022-10-15T15:30 형식(한국 시간)으로 입력하세요.", "Enter a date and time like 2022-10-15T15:30 (Korea time).")
	return nil
}

// fieldErrors localizes the field errors of err, with keys prefixed; ok is
// false when err is not about the input.
func fieldErrors(err error, lang, prefix string) (map[string]string, bool) {
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	out := map[string]string{}
	for k, m := range localize(ve.Fields, lang) {
		out[prefix+k] = m
	}
	return out, true
}

func localName(lang, ko, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return ko
}

func isOperator(u *models.User) bool { return auth.Require(u, models.RoleOperator) == nil }

// option is one <option>, radio or checkbox.
type option struct {
	Value, Label string
	Selected     bool
}

func serviceOptions(catalog []outage.CatalogEntry, lang, selected string) []option {
	out := make([]option, len(catalog))
	for i, e := range catalog {
		out[i] = option{Value: e.Service.Code, Label: localName(lang, e.Service.Name, e.Service.NameEN), Selected: e.Service.Code == selected}
	}
	return out
}

func findService(catalog []outage.CatalogEntry, code string) *outage.CatalogEntry {
	i := slices.IndexFunc(catalog, func(e outage.CatalogEntry) bool { return e.Service.Code == code })
	if i < 0 {
		return nil
	}
	return &catalog[i]
}

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
			f.Add("service", "알 수 없는 서비스입니다.", "Unknown service.")
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

// featureRow is one affected feature on the outage page.
type featureRow struct {
	Name            string
	RestoredAt      *time.Time
	Ongoing         bool
	DurationSeconds int64
	Badge           badge
}

type impactRow struct{ Name, Code, Via string }

type revisionRow struct {
	Version int
	At      time.Time
	Reason  string
}

type noticeRow struct {
	Kind, Channels, Body string
	SentAt               time.Time
}

// dutyRow is one of the two notices and where it stands.
type dutyRow struct {
	Kind     string
	Required bool
	Reason   string
	DueAt    *time.Time
	SentAt   *time.Time
	Overdue  bool
}

type outageData struct {
	V                       *outage.View
	Service, Provider       string
	Cause, Regions          string
	Badge                   badge
	Explain, ExplainOther   string
	OtherLang               string
	Features                []featureRow
	Impacted                []impactRow
	Revisions               []revisionRow
	Notices                 []noticeRow
	Duties                  []dutyRow
	Operator                bool
	Kinds, Channels         []option
	DraftKinds              []option
	NoticeBody, NoticeSent  string
	NoticeKind, UpdateBody  string
	ExplainLang, OtherLabel string
}

func (s *server) outagePage(c *gin.Context) {
	s.renderOutage(c, s.view(c, "outage.title"), http.StatusOK)
}

// renderOutage shows outage :id with status; operator forms keep what
// v.Form holds (keys "notice.*" and "update.body") and show v.Errors.
func (s *server) renderOutage(c *gin.Context, v *view, status int) {
	ctx := c.Request.Context()
	o, err := s.outages.Get(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	l, lang := v.L, v.Lang
	other := "en"
	if lang == "en" {
		other = "ko"
	}
	d := outageData{V: o, Service: localName(lang, o.Service.Name, o.Service.NameEN), Provider: o.ProviderName,
		Cause: l.T("cause." + o.Cause), Regions: strings.Join(o.Regions, ", "), Badge: verdictBadge(l, o.Notice.Verdict),
		Explain: outage.Explain(o, lang), ExplainOther: outage.Explain(o, other), OtherLang: other, ExplainLang: lang,
		OtherLabel: l.T("outage.verdict.other"), Operator: isOperator(v.User)}
	v.Title = l.T("outage.title_of", map[string]any{"Service": d.Service, "Date": o.StartedAt.In(kst).Format("2006-01-02")})
	for _, f := range o.Features {
		fr := featureRow{Name: localName(lang, f.Name, f.NameEN), RestoredAt: f.RestoredAt, Ongoing: f.Ongoing, DurationSeconds: f.DurationSeconds}
		if f.Verdict != nil {
			fr.Badge = verdictBadge(l, *f.Verdict)
		}
		d.Features = append(d.Features, fr)
	}
	for _, i := range o.Impacted {
		d.Impacted = append(d.Impacted, impactRow{Name: localName(lang, i.Name, i.NameEN), Code: i.Code, Via: i.Via})
	}
	for _, r := range o.Revisions {
		d.Revisions = append(d.Revisions, revisionRow{Version: r.Version, At: r.At, Reason: r.Reason})
	}
	sent := map[string]*time.Time{}
	for _, n := range o.Notice.Notices {
		var chans []string
		for _, ch := range n.Channels {
			chans = append(chans, l.T("channel."+ch))
		}
		d.Notices = append(d.Notices, noticeRow{Kind: l.T("notice.kind." + n.Kind), Channels: strings.Join(chans, ", "), Body: n.Body, SentAt: n.SentAt})
		if t, ok := sent[n.Kind]; !ok || n.SentAt.Before(*t) {
			at := n.SentAt
			sent[n.Kind] = &at
		}
	}
	nv := o.Notice
	d.Duties = []dutyRow{
		{Kind: l.T("notice.kind.interruption"), Required: nv.InterruptionRequired, Reason: exemptionText(l, nv.Exemption),
			DueAt: nv.InterruptionNoticeDueAt, SentAt: sent["interruption"], Overdue: slices.Contains(nv.Overdue, statute.NoticeInterruption)},
		{Kind: l.T("notice.kind.compensation"), Required: nv.CompensationRequired, Reason: exemptionText(l, nv.CompensationExemption),
			DueAt: nv.CompensationNoticeDueAt, SentAt: sent["compensation"], Overdue: slices.Contains(nv.Overdue, statute.NoticeCompensation)},
	}
	if d.Operator {
		if err := s.noticeForm(c, v, o, &d, sent); err != nil {
			s.fail(c, err)
			return
		}
	}
	v.Data = d
	s.render(c, status, "outage", v)
}

func exemptionText(l *i18n.Localizer, e *statute.Exemption) string {
	if e == nil {
		return ""
	}
	return l.T("exemption." + string(*e))
}

// noticeForm fills the operator's notice form: what was posted, or a draft
// of the notice most likely due next (or the one ?draft= names).
func (s *server) noticeForm(c *gin.Context, v *view, o *outage.View, d *outageData, sent map[string]*time.Time) error {
	kind := v.Form["notice.kind"]
	if kind == "" {
		kind = c.Query("draft")
	}
	if _, err := statute.ParseNoticeKind(kind); err != nil {
		kind = "interruption"
		if sent["interruption"] != nil || !o.Notice.InterruptionRequired {
			if o.Notice.CompensationRequired {
				kind = "compensation"
			}
		}
	}
	d.NoticeKind = kind
	for _, k := range []string{"interruption", "compensation"} {
		d.Kinds = append(d.Kinds, option{Value: k, Label: v.L.T("notice.kind." + k), Selected: k == kind})
		d.DraftKinds = append(d.DraftKinds, option{Value: k, Label: v.L.T("notice.kind." + k)})
	}
	checked := strings.Split(v.Form["notice.channels"], ",")
	for _, ch := range outage.Channels {
		d.Channels = append(d.Channels, option{Value: ch, Label: v.L.T("channel." + ch), Selected: slices.Contains(checked, ch)})
	}
	d.UpdateBody = v.Form["update.body"]
	if _, posted := v.Form["notice.body"]; posted {
		d.NoticeBody, d.NoticeSent = v.Form["notice.body"], v.Form["notice.sent_at"]
		return nil
	}
	now := time.Now().Truncate(time.Minute)
	d.NoticeSent = localInput(&now)
	draft, err := s.outages.Draft(c.Request.Context(), o.ID, kind, s.baseURL)
	if err != nil {
		return err
	}
	d.NoticeBody = draft.KO + "\n\n" + draft.EN
	return nil
}

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
