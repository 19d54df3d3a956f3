package outage

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/statute"
)

// Channels through which the decree allows a notice to be given.
var Channels = []string{"email", "sms", "website", "app", "press", "contract"}

// NewNotice is a notice recorded as sent.
type NewNotice struct {
	Kind     string     `json:"kind"`
	Channels []string   `json:"channels"`
	SentAt   *time.Time `json:"sent_at"`
	Body     string     `json:"body"`
}

// RecordNotice records that a notice went out. Bad input is a
// *apperr.ValidationError; an unknown outage, ErrNotFound.
func (s *Service) RecordNotice(ctx context.Context, actor *models.User, outageID string, in NewNotice) (*View, error) {
	rec, err := s.store.Outage(ctx, outageID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var f apperr.Fields
	if _, err := statute.ParseNoticeKind(in.Kind); err != nil {
		f.AddMsg("kind", apperr.M("outage.notice_kind"))
	}
	if len(in.Channels) == 0 {
		f.AddMsg("channels", apperr.M("outage.channels_missing"))
	}
	for _, c := range in.Channels {
		if !slices.Contains(Channels, c) {
			f.AddMsg("channels", apperr.M("outage.channel_unknown", map[string]any{"channel": c}))
		}
	}
	switch {
	case in.SentAt == nil:
		f.AddMsg("sent_at", apperr.M("outage.sent_at_missing"))
	case in.SentAt.After(now.Add(clockSkew)):
		f.AddMsg("sent_at", apperr.M("outage.sent_at_future"))
	case in.SentAt.Before(rec.Outage.StartedAt):
		f.AddMsg("sent_at", apperr.M("outage.sent_at_before_start"))
	}
	input.Text(&f, "body", in.Body, 0)
	if n := len([]rune(strings.TrimSpace(in.Body))); n < 1 || n > 20000 {
		f.AddMsg("body", apperr.M("outage.notice_body_length"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	n := &models.Notice{ID: s.newID(), OutageID: rec.Outage.ID, Kind: in.Kind, Channels: encodeList(in.Channels),
		SentAt: in.SentAt.UTC(), Body: in.Body, RecordedBy: actor.ID, CreatedAt: now}
	a, err := s.auditEntry(ctx, noticeRecord(n))
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.AddNotice(ctx, n, a) }); err != nil {
		return nil, err
	}
	s.cache.invalidate(outageID)
	return s.Get(ctx, outageID)
}

// AddUpdate appends a public timeline entry to an outage.
func (s *Service) AddUpdate(ctx context.Context, actor *models.User, outageID, body string) (*View, error) {
	if _, err := s.store.Outage(ctx, outageID); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if input.Text(&f, "body", body, 0) {
		if n := len([]rune(strings.TrimSpace(body))); n < 1 || n > 5000 {
			f.AddMsg("body", apperr.M("outage.update_body_length"))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u := &models.OutageUpdate{ID: s.newID(), OutageID: outageID, AuthorID: actor.ID, Body: strings.TrimSpace(body), CreatedAt: s.now().UTC()}
	a, err := s.auditEntry(ctx, updateRecord(u))
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.AddUpdate(ctx, u, a); err != nil {
			return err
		}
		return tx.EnqueueOnce(ctx, s.fanout(outageID, u.ID, u.Body, u.CreatedAt))
	}); err != nil {
		return nil, err
	}
	s.cache.invalidate(outageID)
	return s.Get(ctx, outageID)
}

// Due lists open notice duties across outages: each outage whose verdict
// requires a notice not yet recorded, with the ones past due flagged.
func (s *Service) Due(ctx context.Context) ([]Duty, error) {
	views, err := s.List(ctx, Filter{Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []Duty
	for _, v := range views {
		sent := map[string]bool{}
		for _, n := range v.Notice.Notices {
			sent[n.Kind] = true
		}
		add := func(kind statute.NoticeKind, due *time.Time) {
			if due == nil || sent[string(kind)] {
				return
			}
			out = append(out, Duty{Outage: v, Kind: kind, DueAt: *due, Overdue: slices.Contains(v.Notice.Overdue, kind)})
		}
		add(statute.NoticeInterruption, v.Notice.InterruptionNoticeDueAt)
		add(statute.NoticeCompensation, v.Notice.CompensationNoticeDueAt)
	}
	slices.SortFunc(out, func(a, b Duty) int { return a.DueAt.Compare(b.DueAt) })
	return out, nil
}

// Duty is one notice that is owed and not yet recorded.
type Duty struct {
	Outage  *View
	Kind    statute.NoticeKind
	DueAt   time.Time
	Overdue bool
}

// Draft is a generated notice text in both languages.
type Draft struct {
	Kind string `json:"kind"`
	KO   string `json:"ko"`
	EN   string `json:"en"`
	// Parts names each legally required part and says it is present.
	Parts []string `json:"parts"`
	// PolicyVersion is the version of the compensation policy a
	// compensation notice states; 0 for an interruption notice.
	PolicyVersion int `json:"policy_version,omitempty"`
}

// Draft generates the notice text of kind for an outage, with every part
// the decree requires. A compensation notice states the criteria, evidence
// and filing deadline of the policy among in.Policies that governs the
// outage (policy.Select by its start). An unknown kind, or a compensation
// notice for an outage no policy governs, is a validation error; an unknown
// outage, ErrNotFound.
func (s *Service) Draft(ctx context.Context, outageID, kind string, in DraftInput) (*Draft, error) {
	k, err := statute.ParseNoticeKind(kind)
	if err != nil {
		return nil, apperr.InvalidMsg("kind", apperr.M("outage.draft_kind"))
	}
	v, err := s.Get(ctx, outageID)
	if err != nil {
		return nil, err
	}
	if k == statute.NoticeInterruption {
		return interruptionDraft(v), nil
	}
	p, err := policy.Select(in.Policies, v.StartedAt)
	if err != nil {
		return nil, apperr.InvalidMsg("outage_id", apperr.M("outage.no_policy"))
	}
	return compensationDraft(v, p, in), nil
}

var kst = time.FixedZone("KST", 9*3600)

func kstTime(t time.Time) string { return t.In(kst).Format("2006-01-02 15:04 KST") }

func featureList(v *View, en bool) string {
	var names []string
	for _, f := range v.Features {
		if en && f.NameEN != "" {
			names = append(names, f.NameEN)
		} else {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}

func interruptionDraft(v *View) *Draft {
	status := apperr.M("outage.notice.restoring", map[string]any{"latest": latestUpdate(v)})
	if v.EndedAt != nil {
		status = apperr.M("outage.notice.restored", map[string]any{"at": kstTime(*v.EndedAt)})
	}
	var contact any = v.ProviderContact
	if v.ProviderContact == "" {
		contact = apperr.M("outage.notice.customer_center", map[string]any{"provider": v.ProviderName})
	}
	ko, en := inBoth(apperr.M("outage.notice.interruption", map[string]any{
		"service":  perLang(policy.Text{KO: v.Service.Name, EN: nameEN(v)}),
		"features": perLang(policy.Text{KO: featureList(v, false), EN: featureList(v, true)}),
		"start":    kstTime(v.StartedAt),
		"cause":    perLang(policy.Text{KO: causeLabel(v.Cause, "ko"), EN: v.Cause}),
		"summary":  v.Summary,
		"status":   status,
		"contact":  contact,
	}))
	return &Draft{Kind: "interruption", KO: ko, EN: en, Parts: []string{"fact", "cause", "response_status", "contact"}}
}

func contactOf(v *View) string {
	if v.ProviderContact != "" {
		return v.ProviderContact
	}
	return v.ProviderName
}

// endText is when v ended, or that it is still ongoing.
func endText(v *View) any {
	if v.EndedAt == nil {
		return apperr.M("outage.notice.ongoing")
	}
	return kstTime(*v.EndedAt)
}

func nameEN(v *View) string {
	if v.Service.NameEN != "" {
		return v.Service.NameEN
	}
	return v.Service.Name
}

// latestUpdate is the body of v's newest timeline entry, or, before the
// first, that restoration is under way.
func latestUpdate(v *View) any {
	if len(v.Timeline) == 0 {
		return apperr.M("outage.notice.restoring_default")
	}
	return v.Timeline[len(v.Timeline)-1].Body
}

// causeLabel is the catalog name of cause in lang, or the code of a cause
// the catalog does not know.
func causeLabel(cause, lang string) string {
	if _, err := statute.ParseCause(cause); err != nil {
		return cause
	}
	return apperr.M("cause." + cause).In(lang)
}
