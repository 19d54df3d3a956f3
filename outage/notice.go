package outage

import (
	"context"
	"fmt"
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
		f.Add("kind", "고지 종류는 interruption 또는 compensation입니다.", "kind must be interruption or compensation.")
	}
	if len(in.Channels) == 0 {
		f.Add("channels", "고지 수단을 하나 이상 고르세요.", "Choose at least one channel.")
	}
	for _, c := range in.Channels {
		if !slices.Contains(Channels, c) {
			f.Add("channels", "알 수 없는 고지 수단입니다: "+c, "Unknown channel: "+c)
		}
	}
	switch {
	case in.SentAt == nil:
		f.Add("sent_at", "발송 시각을 입력하세요.", "Enter when the notice was sent.")
	case in.SentAt.After(now.Add(clockSkew)):
		f.Add("sent_at", "발송 시각이 미래일 수 없습니다.", "The sending time cannot be in the future.")
	case in.SentAt.Before(rec.Outage.StartedAt):
		f.Add("sent_at", "장애 시작 전에 보낸 고지는 기록할 수 없습니다.", "A notice cannot predate the outage.")
	}
	input.Text(&f, "body", in.Body, 0)
	if n := len([]rune(strings.TrimSpace(in.Body))); n < 1 || n > 20000 {
		f.Add("body", "고지 본문을 입력하세요(최대 20000자).", "Enter the notice text (up to 20000 characters).")
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
	if err := s.store.AddNotice(ctx, n, a); err != nil {
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
			f.Add("body", "내용을 1~5000자로 입력하세요.", "Enter 1 to 5000 characters.")
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
		return nil, apperr.Invalid("kind", "kind는 interruption 또는 compensation입니다.", "kind must be interruption or compensation.")
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
		return nil, apperr.Invalid("outage_id", "이 장애에 적용되는 보상 기준이 없습니다.", "No compensation policy covers this outage.")
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
	status := fmt.Sprintf("현재 복구 작업 중입니다. 최근 상황: %s", latestUpdate(v, "복구 작업을 진행하고 있습니다."))
	statusEN := fmt.Sprintf("Restoration is in progress. Latest: %s", latestUpdate(v, "work to restore the service is under way."))
	if v.EndedAt != nil {
		status = fmt.Sprintf("%s에 복구되었습니다.", kstTime(*v.EndedAt))
		statusEN = fmt.Sprintf("The service was restored at %s.", kstTime(*v.EndedAt))
	}
	contact := v.ProviderContact
	if contact == "" {
		contact = v.ProviderName + " 고객센터"
	}
	ko := fmt.Sprintf("[서비스 제공 중단 안내] %s\n\n1. 중단 사실: %s 서비스의 %s 기능이 %s부터 제공되지 않았습니다.\n2. 원인: %s (%s)\n3. 대응 현황: %s\n4. 문의처: %s\n\n이용에 불편을 드려 죄송합니다. 손해배상 기준과 절차는 별도로 안내합니다.",
		v.Service.Name, v.Service.Name, featureList(v, false), kstTime(v.StartedAt), causeKO[v.Cause], v.Summary, status, contact)
	en := fmt.Sprintf("[Service interruption notice] %s\n\n1. What happened: the %s feature(s) of %s were unavailable from %s.\n2. Cause: %s (%s)\n3. Response: %s\n4. Contact: %s\n\nWe apologise for the inconvenience. The compensation criteria and procedure will be announced separately.",
		nameEN(v), featureList(v, true), nameEN(v), kstTime(v.StartedAt), v.Cause, v.Summary, statusEN, contact)
	return &Draft{Kind: "interruption", KO: ko, EN: en, Parts: []string{"fact", "cause", "response_status", "contact"}}
}

func contactOf(v *View) string {
	if v.ProviderContact != "" {
		return v.ProviderContact
	}
	return v.ProviderName
}

func endKO(v *View) string {
	if v.EndedAt == nil {
		return "복구 중"
	}
	return kstTime(*v.EndedAt)
}

func endEN(v *View) string {
	if v.EndedAt == nil {
		return "ongoing"
	}
	return kstTime(*v.EndedAt)
}

func nameEN(v *View) string {
	if v.Service.NameEN != "" {
		return v.Service.NameEN
	}
	return v.Service.Name
}

func latestUpdate(v *View, fallback string) string {
	if len(v.Timeline) == 0 {
		return fallback
	}
	return v.Timeline[len(v.Timeline)-1].Body
}

var causeKO = map[string]string{
	"overload": "과부하", "equipment_fault": "설비 장애", "error": "오류", "fire": "화재", "disaster": "재난",
	"carrier_line": "통신 회선 장애", "announced_maintenance": "사전 공지된 점검", "other": "기타",
}
