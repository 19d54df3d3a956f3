package outage

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/bosang/bosang/statute"
)

// View is an outage as the API and pages show it: the record plus the
// statutory verdict, per-feature durations and downstream impact, all as of
// the clock's now.
type View struct {
	ID               string           `json:"id"`
	ServiceID        string           `json:"service_id"`
	Service          ServiceRef       `json:"service"`
	Features         []FeatureView    `json:"features"`
	Regions          []string         `json:"regions"`
	StartedAt        time.Time        `json:"started_at"`
	EndedAt          *time.Time       `json:"ended_at"`
	Cause            string           `json:"cause"`
	CriticalFacility bool             `json:"critical_facility"`
	Summary          string           `json:"summary"`
	Version          int              `json:"version"`
	DurationSeconds  int64            `json:"duration_seconds"`
	Ongoing          bool             `json:"ongoing"`
	Notice           NoticeStatus     `json:"notice"`
	Impacted         []ImpactedRef    `json:"impacted_services"`
	Timeline         []TimelineEntry  `json:"timeline"`
	Revisions        []RevisionView   `json:"revisions"`
	ProviderName     string           `json:"provider"`
	ProviderContact  string           `json:"-"`
	Paid             bool             `json:"-"`
	record           *Record          `json:"-"`
	settings         statute.Settings `json:"-"`
}

// ServiceRef names a service.
type ServiceRef struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// FeatureView is one affected feature with its own window and verdict.
type FeatureView struct {
	Code            string           `json:"code"`
	Name            string           `json:"name"`
	NameEN          string           `json:"name_en"`
	RestoredAt      *time.Time       `json:"restored_at"`
	DurationSeconds int64            `json:"duration_seconds"`
	Ongoing         bool             `json:"ongoing"`
	Verdict         *statute.Verdict `json:"verdict"`
}

// ImpactedRef is a service built on an affected feature, and so down too.
type ImpactedRef struct {
	ServiceID string `json:"service_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	NameEN    string `json:"name_en"`
	Via       string `json:"via_feature"`
}

// TimelineEntry is one public update.
type TimelineEntry struct {
	At   time.Time `json:"at"`
	Body string    `json:"body"`
}

// RevisionView is one correction as history shows it.
type RevisionView struct {
	Version int             `json:"version"`
	At      time.Time       `json:"at"`
	ActorID string          `json:"actor_id"`
	Reason  string          `json:"reason"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
}

// NoticeStatus is API.md's `notice` object.
type NoticeStatus struct {
	statute.Verdict
	Notices []NoticeView         `json:"notices"`
	Overdue []statute.NoticeKind `json:"overdue"`
}

// NoticeView is a notice recorded as sent.
type NoticeView struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Channels []string  `json:"channels"`
	SentAt   time.Time `json:"sent_at"`
	Body     string    `json:"body"`
}

// caseOf is the statutory case of an outage, over [start, end).
func caseOf(r *Record, start time.Time, end *time.Time) statute.Case {
	return statute.Case{
		Provider: statute.Provider{Kind: statute.ProviderKind(r.Provider.Kind),
			PriorYearRevenueWon: r.Provider.PriorYearRevenueKRW, AvgDailyUsers: r.Provider.AvgDailyUsers},
		Free:             !r.Service.Paid,
		Cause:            statute.Cause(r.Outage.Cause),
		CriticalFacility: r.Outage.CriticalFacility,
		Windows:          []statute.Window{{Start: start, End: end}},
	}
}

// view builds the View of r as of now.
func view(r *Record, catalog []CatalogEntry, s statute.Settings, now time.Time) (*View, error) {
	o := r.Outage
	v := &View{ID: o.ID, ServiceID: o.ServiceID, StartedAt: o.StartedAt, EndedAt: o.EndedAt, Cause: o.Cause,
		CriticalFacility: o.CriticalFacility, Summary: o.Summary, Version: o.Version, Ongoing: o.EndedAt == nil,
		Service:      ServiceRef{ID: r.Service.ID, Code: r.Service.Code, Name: r.Service.Name, NameEN: r.Service.NameEN},
		ProviderName: r.Provider.Name, ProviderContact: r.Provider.Contact, Paid: r.Service.Paid, record: r, settings: s,
		Regions: decodeList(o.Regions), Timeline: []TimelineEntry{}, Revisions: []RevisionView{}, Impacted: []ImpactedRef{}}
	v.DurationSeconds = int64(until(o.EndedAt, now).Sub(o.StartedAt).Seconds())
	verdict, err := statute.Evaluate(caseOf(r, o.StartedAt, o.EndedAt), s, now)
	if err != nil {
		return nil, err
	}
	v.Notice = NoticeStatus{Verdict: verdict, Notices: []NoticeView{}}
	sent := map[statute.NoticeKind]time.Time{}
	for _, n := range r.Notices {
		v.Notice.Notices = append(v.Notice.Notices, NoticeView{ID: n.ID, Kind: n.Kind, Channels: decodeList(n.Channels), SentAt: n.SentAt, Body: n.Body})
		k := statute.NoticeKind(n.Kind)
		if t, ok := sent[k]; !ok || n.SentAt.Before(t) {
			sent[k] = n.SentAt
		}
	}
	v.Notice.Overdue = statute.Overdue(verdict, sent, now)
	if v.Notice.Overdue == nil {
		v.Notice.Overdue = []statute.NoticeKind{}
	}
	for _, f := range r.Features {
		v.Features = append(v.Features, featureView(r, f, s, now))
	}
	for _, u := range r.Updates {
		v.Timeline = append(v.Timeline, TimelineEntry{At: u.CreatedAt, Body: u.Body})
	}
	for _, rev := range r.Revisions {
		v.Revisions = append(v.Revisions, RevisionView{Version: rev.Version, At: rev.CreatedAt, ActorID: rev.ActorID,
			Reason: rev.Reason, Before: json.RawMessage(rev.Before), After: json.RawMessage(rev.After)})
	}
	v.Impacted = impacted(r, catalog)
	return v, nil
}

func featureView(r *Record, f FeatureState, s statute.Settings, now time.Time) FeatureView {
	end := r.Outage.EndedAt
	if f.RestoredAt != nil {
		end = f.RestoredAt
	}
	fv := FeatureView{Code: f.Feature.Code, Name: f.Feature.Name, NameEN: f.Feature.NameEN, RestoredAt: end,
		Ongoing: end == nil, DurationSeconds: int64(until(end, now).Sub(r.Outage.StartedAt).Seconds())}
	if verdict, err := statute.Evaluate(caseOf(r, r.Outage.StartedAt, end), s, now); err == nil {
		fv.Verdict = &verdict
	}
	return fv
}

// impacted lists the services that depend on any affected feature.
func impacted(r *Record, catalog []CatalogEntry) []ImpactedRef {
	out := []ImpactedRef{}
	affected := map[string]string{}
	for _, f := range r.Features {
		affected[f.Feature.ID] = f.Feature.Code
	}
	for _, e := range catalog {
		for _, d := range e.DependsOn {
			if code, ok := affected[d.FeatureID]; ok && e.Service.ID != r.Service.ID {
				out = append(out, ImpactedRef{ServiceID: e.Service.ID, Code: e.Service.Code, Name: e.Service.Name,
					NameEN: e.Service.NameEN, Via: r.Service.Code + "." + code})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b ImpactedRef) int { return compareStrings(a.Code, b.Code) })
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func until(end *time.Time, now time.Time) time.Time {
	if end != nil {
		return *end
	}
	return now
}

func decodeList(s string) []string {
	out := []string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out) // written by encodeList only
	}
	return out
}

func encodeList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
