package outage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/statute"
)

// Service is the outage registry's use cases.
type Service struct {
	cache    cache
	store    Store
	settings statute.Settings
	now      func() time.Time
	newID    func() string
	// sealer seals subscription mails' addresses and tokens (SetSealer).
	sealer Sealer
}

// NewService wires a Service with the statutory settings, clock and id maker.
func NewService(store Store, settings statute.Settings, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, settings: settings, now: now, newID: newID}
}

// NewOutage is the input for recording an outage.
type NewOutage struct {
	ServiceID        string               `json:"service_id"`
	Features         []string             `json:"features"`
	FeatureRestored  map[string]time.Time `json:"feature_restored_at"`
	Regions          []string             `json:"regions"`
	StartedAt        *time.Time           `json:"started_at"`
	EndedAt          *time.Time           `json:"ended_at"`
	Cause            string               `json:"cause"`
	CriticalFacility bool                 `json:"critical_facility"`
	Summary          string               `json:"summary"`
}

// Create records an outage. Bad input is a *apperr.ValidationError naming
// each field; nothing is stored then.
func (s *Service) Create(ctx context.Context, actor *models.User, in NewOutage) (*View, error) {
	entry, err := s.serviceEntry(ctx, in.ServiceID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	o := &models.Outage{ID: s.newID(), ServiceID: entry.Service.ID, Version: 1, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	features, err := apply(o, in, entry, now)
	if err != nil {
		return nil, err
	}
	a, err := s.auditEntry(ctx, createRecord(o))
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateOutage(ctx, o, features, a); err != nil {
		return nil, err
	}
	return s.Get(ctx, o.ID)
}

// apply validates in against the service's catalogue entry and writes it
// into o, returning the affected features.
func apply(o *models.Outage, in NewOutage, entry *CatalogEntry, now time.Time) ([]models.OutageFeature, error) {
	var f apperr.Fields
	checkTimes(&f, in.StartedAt, in.EndedAt, now)
	if _, err := statute.ParseCause(in.Cause); err != nil {
		f.Add("cause", "알 수 없는 원인입니다. overload, equipment_fault, error, fire, disaster, carrier_line, announced_maintenance, other 중 하나를 고르세요.",
			"Unknown cause; use overload, equipment_fault, error, fire, disaster, carrier_line, announced_maintenance or other.")
	}
	input.Text(&f, "summary", in.Summary, 0)
	if n := len([]rune(in.Summary)); n < 1 || n > 2000 {
		f.Add("summary", "요약을 1~2000자로 입력하세요.", "Enter a summary of 1 to 2000 characters.")
	}
	checkRegions(&f, in.Regions)
	features := resolveFeatures(&f, in, entry, now)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := statute.RegimeAt(statute.DefaultRegimes(), *in.StartedAt); err != nil {
		return nil, apperr.Invalid("started_at", "이 시각에 적용되는 고지 법령이 없습니다(2019-06-25 이전).",
			"No notice regime applies at this time (before 2019-06-25).")
	}
	o.StartedAt, o.EndedAt = in.StartedAt.UTC(), utcPtr(in.EndedAt)
	o.Cause, o.CriticalFacility, o.Summary, o.Regions = in.Cause, in.CriticalFacility, in.Summary, encodeList(in.Regions)
	for i := range features {
		features[i].OutageID = o.ID
	}
	return features, nil
}

// clockSkew tolerates client clocks slightly ahead of the server's.
const clockSkew = time.Minute

func checkTimes(f *apperr.Fields, start, end *time.Time, now time.Time) {
	switch {
	case start == nil || start.IsZero():
		f.Add("started_at", "시작 시각을 입력하세요.", "Enter when the outage started.")
	case start.After(now.Add(clockSkew)):
		f.Add("started_at", "시작 시각이 미래일 수 없습니다.", "The start cannot be in the future.")
	}
	if end == nil {
		return
	}
	switch {
	case start != nil && !end.After(*start):
		f.Add("ended_at", "종료 시각은 시작 시각보다 뒤여야 합니다.", "The end must be after the start.")
	case end.After(now.Add(clockSkew)):
		f.Add("ended_at", "종료 시각이 미래일 수 없습니다.", "The end cannot be in the future.")
	}
}

func checkRegions(f *apperr.Fields, regions []string) {
	if len(regions) > 50 {
		f.Add("regions", "지역은 50개까지 입력할 수 있습니다.", "At most 50 regions.")
	}
	for _, r := range regions {
		input.Line(f, "regions", r, 0)
		if n := len([]rune(r)); n < 1 || n > 60 {
			f.Add("regions", "지역 이름은 1~60자여야 합니다.", "Region names must be 1 to 60 characters.")
		}
	}
}

func resolveFeatures(f *apperr.Fields, in NewOutage, entry *CatalogEntry, now time.Time) []models.OutageFeature {
	if len(in.Features) == 0 {
		f.Add("features", "장애가 난 기능을 하나 이상 고르세요.", "Choose at least one affected feature.")
		return nil
	}
	byCode := map[string]models.Feature{}
	for _, ft := range entry.Features {
		byCode[ft.Code] = ft
	}
	var out []models.OutageFeature
	seen := map[string]bool{}
	for _, code := range in.Features {
		ft, ok := byCode[code]
		if !ok {
			f.Add("features", fmt.Sprintf("%s 서비스에 없는 기능입니다: %s", entry.Service.Code, code),
				fmt.Sprintf("Service %s has no feature %q.", entry.Service.Code, code))
			continue
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		of := models.OutageFeature{FeatureID: ft.ID}
		if t, ok := in.FeatureRestored[code]; ok {
			if in.StartedAt == nil || !t.After(*in.StartedAt) || (in.EndedAt != nil && t.After(*in.EndedAt)) || in.EndedAt == nil && t.After(now.Add(clockSkew)) {
				f.Add("feature_restored_at."+code, "기능 복구 시각은 시작과 종료 사이여야 합니다.", "A feature's restoration must fall between the start and the end.")
			}
			of.RestoredAt = utcPtr(&t)
		}
		out = append(out, of)
	}
	for code := range in.FeatureRestored {
		if !seen[code] {
			f.Add("feature_restored_at."+code, "장애 기능 목록에 없는 기능입니다.", "This feature is not among the affected features.")
		}
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Patch is a correction: nil fields stay as they are. Reason is required.
type Patch struct {
	Features         []string             `json:"features"`
	FeatureRestored  map[string]time.Time `json:"feature_restored_at"`
	Regions          []string             `json:"regions"`
	StartedAt        *time.Time           `json:"started_at"`
	EndedAt          *time.Time           `json:"ended_at"`
	Cause            *string              `json:"cause"`
	CriticalFacility *bool                `json:"critical_facility"`
	Summary          *string              `json:"summary"`
	Reason           string               `json:"reason"`
	// Version, when set, must equal the stored version (If-Match).
	Version *int `json:"-"`
}

// Correct applies p to outage id and records a revision with who, when, why,
// before and after. A stale Version is apperr.ErrPreconditionFailed, as is a
// concurrent correction that saved first.
func (s *Service) Correct(ctx context.Context, actor *models.User, id string, p Patch) (*View, error) {
	var f apperr.Fields
	if input.Text(&f, "reason", p.Reason, 0) {
		if n := len([]rune(p.Reason)); n < 1 || n > 1000 {
			f.Add("reason", "수정 사유를 입력하세요.", "Give a reason for the correction.")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	rec, err := s.store.Outage(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != nil && *p.Version != rec.Outage.Version {
		return nil, fmt.Errorf("outage %s is at version %d, not %d: %w", id, rec.Outage.Version, *p.Version, apperr.ErrPreconditionFailed)
	}
	entry, err := s.serviceEntry(ctx, rec.Service.ID)
	if err != nil {
		return nil, err
	}
	in := merged(rec, p)
	now := s.now().UTC()
	o := rec.Outage
	features, err := apply(&o, in, entry, now)
	if err != nil {
		return nil, err
	}
	o.Version++
	o.UpdatedAt = now
	before, _ := json.Marshal(snapshot(rec.Outage, rec.Features, entry))
	after, _ := json.Marshal(snapshot(o, statesOf(features, entry), entry))
	rev := &models.OutageRevision{ID: s.newID(), OutageID: id, Version: o.Version, ActorID: actor.ID, Reason: p.Reason,
		Before: string(before), After: string(after), CreatedAt: now}
	a, err := s.auditEntry(ctx, correctRecord(id, rev))
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.UpdateOutage(ctx, &o, features, rev, a); err != nil {
			return err
		}
		return tx.EnqueueOnce(ctx, s.fanout(id, rev.ID, correctionText(rec.Outage, o), now))
	}); err != nil {
		return nil, err
	}
	s.cache.invalidate(id)
	return s.Get(ctx, id)
}

// merged is the outage's current input with p laid over it.
func merged(r *Record, p Patch) NewOutage {
	in := NewOutage{ServiceID: r.Service.ID, Regions: decodeList(r.Outage.Regions), StartedAt: &r.Outage.StartedAt,
		EndedAt: r.Outage.EndedAt, Cause: r.Outage.Cause, CriticalFacility: r.Outage.CriticalFacility,
		Summary: r.Outage.Summary, FeatureRestored: map[string]time.Time{}}
	for _, f := range r.Features {
		in.Features = append(in.Features, f.Feature.Code)
		if f.RestoredAt != nil {
			in.FeatureRestored[f.Feature.Code] = *f.RestoredAt
		}
	}
	if p.Features != nil {
		in.Features = p.Features
		for code := range in.FeatureRestored {
			if !contains(p.Features, code) {
				delete(in.FeatureRestored, code)
			}
		}
	}
	for code, t := range p.FeatureRestored {
		in.FeatureRestored[code] = t
	}
	if p.Regions != nil {
		in.Regions = p.Regions
	}
	if p.StartedAt != nil {
		in.StartedAt = p.StartedAt
	}
	if p.EndedAt != nil {
		in.EndedAt = p.EndedAt
	}
	if p.Cause != nil {
		in.Cause = *p.Cause
	}
	if p.CriticalFacility != nil {
		in.CriticalFacility = *p.CriticalFacility
	}
	if p.Summary != nil {
		in.Summary = *p.Summary
	}
	return in
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func statesOf(features []models.OutageFeature, entry *CatalogEntry) []FeatureState {
	var out []FeatureState
	for _, of := range features {
		for _, ft := range entry.Features {
			if ft.ID == of.FeatureID {
				out = append(out, FeatureState{Feature: ft, RestoredAt: of.RestoredAt})
			}
		}
	}
	return out
}

// snapshot is what a revision records of an outage.
func snapshot(o models.Outage, features []FeatureState, _ *CatalogEntry) map[string]any {
	fs := map[string]*time.Time{}
	for _, f := range features {
		fs[f.Feature.Code] = f.RestoredAt
	}
	return map[string]any{"started_at": o.StartedAt, "ended_at": o.EndedAt, "cause": o.Cause,
		"critical_facility": o.CriticalFacility, "summary": o.Summary, "regions": decodeList(o.Regions), "features": fs}
}

// Get returns the view of one outage; ErrNotFound if there is none. Views
// are cached for a second; every change made through this Service drops the
// outage's cached view at once. Requests that find a view missing or expired
// at the same moment share one read of it.
func (s *Service) Get(ctx context.Context, id string) (*View, error) {
	return s.cache.loadView(ctx, id, func(ctx context.Context) (*View, error) {
		rec, err := s.store.Outage(ctx, id)
		if err != nil {
			return nil, err
		}
		catalog, err := s.catalogue(ctx)
		if err != nil {
			return nil, err
		}
		return view(rec, catalog, s.settings, s.now())
	})
}

// List returns views of the outages matching f.
func (s *Service) List(ctx context.Context, f Filter) ([]*View, error) {
	recs, err := s.store.Outages(ctx, f)
	if err != nil {
		return nil, err
	}
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*View, 0, len(recs))
	for i := range recs {
		v, err := view(&recs[i], catalog, s.settings, now)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) serviceEntry(ctx context.Context, serviceID string) (*CatalogEntry, error) {
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	for i := range catalog {
		if catalog[i].Service.ID == serviceID || catalog[i].Service.Code == serviceID {
			return &catalog[i], nil
		}
	}
	return nil, apperr.Invalid("service_id", "알 수 없는 서비스입니다.", "Unknown service.")
}

// correctionText is what subscribers are told of a correction: that the
// outage ended, or was corrected, with its summary.
func correctionText(before, after models.Outage) string {
	if before.EndedAt == nil && after.EndedAt != nil {
		return "장애가 종료되었습니다 / The outage has ended: " + kstTime(*after.EndedAt) + "\n" + after.Summary
	}
	return "장애 정보가 수정되었습니다 / The outage record was corrected.\n" + after.Summary
}
