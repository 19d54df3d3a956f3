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
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.CreateOutage(ctx, o, features, a) }); err != nil {
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
		f.AddMsg("cause", apperr.M("outage.cause_unknown"))
	}
	input.Text(&f, "summary", in.Summary, 0)
	if n := len([]rune(in.Summary)); n < 1 || n > 2000 {
		f.AddMsg("summary", apperr.M("outage.summary_length"))
	}
	checkRegions(&f, in.Regions)
	features := resolveFeatures(&f, in, entry, now)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := statute.RegimeAt(statute.DefaultRegimes(), *in.StartedAt); err != nil {
		return nil, apperr.InvalidMsg("started_at", apperr.M("outage.no_regime"))
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
		f.AddMsg("started_at", apperr.M("outage.started_at_missing"))
	case start.After(now.Add(clockSkew)):
		f.AddMsg("started_at", apperr.M("outage.started_at_future"))
	}
	if end == nil {
		return
	}
	switch {
	case start != nil && !end.After(*start):
		f.AddMsg("ended_at", apperr.M("outage.ended_at_before_start"))
	case end.After(now.Add(clockSkew)):
		f.AddMsg("ended_at", apperr.M("outage.ended_at_future"))
	}
}

func checkRegions(f *apperr.Fields, regions []string) {
	if len(regions) > 50 {
		f.AddMsg("regions", apperr.M("outage.regions_count"))
	}
	for _, r := range regions {
		input.Line(f, "regions", r, 0)
		if n := len([]rune(r)); n < 1 || n > 60 {
			f.AddMsg("regions", apperr.M("outage.region_length"))
		}
	}
}

func resolveFeatures(f *apperr.Fields, in NewOutage, entry *CatalogEntry, now time.Time) []models.OutageFeature {
	if len(in.Features) == 0 {
		f.AddMsg("features", apperr.M("outage.affected_features_missing"))
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
			f.AddMsg("features", apperr.M("outage.feature_unknown", map[string]any{"service": entry.Service.Code, "feature": code}))
			continue
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		of := models.OutageFeature{FeatureID: ft.ID}
		if t, ok := in.FeatureRestored[code]; ok {
			if in.StartedAt == nil || !t.After(*in.StartedAt) || (in.EndedAt != nil && t.After(*in.EndedAt)) || in.EndedAt == nil && t.After(now.Add(clockSkew)) {
				f.AddMsg("feature_restored_at."+code, apperr.M("outage.feature_restored_range"))
			}
			of.RestoredAt = utcPtr(&t)
		}
		out = append(out, of)
	}
	for code := range in.FeatureRestored {
		if !seen[code] {
			f.AddMsg("feature_restored_at."+code, apperr.M("outage.feature_not_affected"))
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
			f.AddMsg("reason", apperr.M("outage.reason_missing"))
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
	return nil, apperr.InvalidMsg("service_id", apperr.M("outage.service_unknown"))
}

// correctionText is what subscribers are told of a correction, in Korean
// and English: that the outage ended, or was corrected, with its summary.
func correctionText(before, after models.Outage) string {
	if before.EndedAt == nil && after.EndedAt != nil {
		ko, en := inBoth(apperr.M("outage.correction.ended"))
		return ko + " / " + en + ": " + kstTime(*after.EndedAt) + "\n" + after.Summary
	}
	ko, en := inBoth(apperr.M("outage.correction.corrected"))
	return ko + " / " + en + "\n" + after.Summary
}
