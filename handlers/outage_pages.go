package handlers

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
)

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
	Changes []fieldChange
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
	// Window is whether claims may still be filed; CanClaim whether the
	// viewer would file one (the public and claimants, not staff).
	Window   claimWindow
	CanClaim bool
	// Ledger is the outage's offers, for staff; nil for anyone else.
	Ledger *ledgerView
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
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Window = s.claimWindowOf(l, policies, o, nil)
	d.CanClaim = v.User == nil || !v.User.Role.IsStaff()
	if v.User != nil && v.User.Role.IsStaff() && s.offers != nil {
		led, err := s.offers.Ledger(ctx, o.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Ledger = ledgerOf(l, led)
	}
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
		d.Revisions = append(d.Revisions, revisionRow{Version: r.Version, At: r.At, Reason: r.Reason, Changes: changesOf(l, r.Before, r.After)})
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
	now := s.now().Truncate(time.Minute)
	d.NoticeSent = localInput(&now)
	draft, err := s.draft(c.Request.Context(), o.ID, kind)
	if err != nil {
		return err
	}
	d.NoticeBody = draft.KO + "\n\n" + draft.EN
	return nil
}
