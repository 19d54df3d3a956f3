package outage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/statute"
)

// NewProvider describes the provider of a new service; an existing provider
// is found by name and reused.
type NewProvider struct {
	Name                string `json:"name"`
	Kind                string `json:"kind"`
	PriorYearRevenueKRW int64  `json:"prior_year_revenue_krw"`
	AvgDailyUsers       int64  `json:"avg_daily_users"`
	Contact             string `json:"contact"`
}

// NewFeature is one feature of a new service.
type NewFeature struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// NewServiceInput creates a service. DependsOn names features of other
// services as "service_code.feature_code".
type NewServiceInput struct {
	Code      string       `json:"code"`
	Name      string       `json:"name"`
	NameEN    string       `json:"name_en"`
	Paid      bool         `json:"paid"`
	Provider  NewProvider  `json:"provider"`
	Features  []NewFeature `json:"features"`
	DependsOn []string     `json:"depends_on"`
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,47}$`)

// CreateService adds a service with its features and dependencies. A taken
// code is ErrConflict; bad fields, a *apperr.ValidationError.
func (s *Service) CreateService(ctx context.Context, in NewServiceInput) (*CatalogEntry, error) {
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	if !codePattern.MatchString(in.Code) {
		f.AddMsg("code", apperr.M("outage.code_format"))
	}
	input.Line(&f, "name", in.Name, 0)
	input.Line(&f, "name_en", in.NameEN, 100)
	if n := len([]rune(in.Name)); n < 1 || n > 100 {
		f.AddMsg("name", apperr.M("outage.service_name_length"))
	}
	if len(in.Features) == 0 {
		f.AddMsg("features", apperr.M("outage.features_missing"))
	}
	seen := map[string]bool{}
	for _, ft := range in.Features {
		if !codePattern.MatchString(ft.Code) || ft.Name == "" || seen[ft.Code] {
			f.AddMsg("features", apperr.M("outage.feature_code_name"))
		}
		seen[ft.Code] = true
	}
	deps := resolveDeps(&f, in.DependsOn, catalog)
	if err := f.Err(); err != nil {
		return nil, err
	}
	prov, err := s.provider(ctx, in.Provider)
	if err != nil {
		return nil, err
	}
	svc := &models.Service{ID: s.newID(), Code: in.Code, Name: in.Name, NameEN: in.NameEN, ProviderID: prov.ID, Paid: in.Paid, CreatedAt: s.now().UTC()}
	features := make([]models.Feature, len(in.Features))
	for i, ft := range in.Features {
		features[i] = models.Feature{ID: s.newID(), ServiceID: svc.ID, Code: ft.Code, Name: ft.Name, NameEN: ft.NameEN}
	}
	for i := range deps {
		deps[i].ServiceID = svc.ID
	}
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.CreateService(ctx, svc, features, deps) }); err != nil {
		return nil, err
	}
	s.cache.invalidate("")
	return s.entry(ctx, svc.ID)
}

// entry is one service's catalogue entry, dependencies resolved.
func (s *Service) entry(ctx context.Context, serviceID string) (*CatalogEntry, error) {
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	for i := range catalog {
		if catalog[i].Service.ID == serviceID {
			return &catalog[i], nil
		}
	}
	return nil, fmt.Errorf("service %s: %w", serviceID, apperr.ErrNotFound)
}

func resolveDeps(f *apperr.Fields, refs []string, catalog []CatalogEntry) []models.Dependency {
	var out []models.Dependency
	for _, ref := range refs {
		found := false
		for _, e := range catalog {
			for _, ft := range e.Features {
				if e.Service.Code+"."+ft.Code == ref {
					out = append(out, models.Dependency{FeatureID: ft.ID})
					found = true
				}
			}
		}
		if !found {
			f.AddMsg("depends_on", apperr.M("outage.dependency_unknown", map[string]any{"ref": ref}))
		}
	}
	return out
}

func (s *Service) provider(ctx context.Context, in NewProvider) (*models.Provider, error) {
	p, err := s.store.ProviderByName(ctx, in.Name)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	var f apperr.Fields
	input.Line(&f, "provider.name", in.Name, 0)
	input.Line(&f, "provider.contact", in.Contact, 200)
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.AddMsg("provider.name", apperr.M("outage.provider_name"))
	}
	if _, err := statute.ParseProviderKind(in.Kind); err != nil {
		f.AddMsg("provider.kind", apperr.M("outage.provider_kind"))
	}
	if in.PriorYearRevenueKRW < 0 || in.AvgDailyUsers < 0 {
		f.AddMsg("provider", apperr.M("outage.provider_negative"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p = &models.Provider{ID: s.newID(), Name: in.Name, Kind: in.Kind, PriorYearRevenueKRW: in.PriorYearRevenueKRW,
		AvgDailyUsers: in.AvgDailyUsers, Contact: in.Contact, CreatedAt: s.now().UTC()}
	if err := s.store.CreateProvider(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Catalog lists every service.
func (s *Service) Catalog(ctx context.Context) ([]CatalogEntry, error) { return s.catalogue(ctx) }

// Roles a claimant can use a service in, for the eligibility checker.
var Roles = []string{"user", "driver", "merchant", "partner"}

// Eligible returns the outages that hit serviceCode at the given time,
// directly or through a feature it depends on. An unknown service or role is
// a validation error.
func (s *Service) Eligible(ctx context.Context, serviceCode, role string, at time.Time) ([]*View, error) {
	var f apperr.Fields
	if !slices.Contains(Roles, role) {
		f.AddMsg("role", apperr.M("outage.role_missing"))
	}
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(catalog, func(e CatalogEntry) bool { return e.Service.Code == serviceCode })
	if serviceCode == "" {
		f.AddMsg("service", apperr.M("outage.service_missing"))
	} else if i < 0 {
		f.AddMsg("service", apperr.M("outage.service_unknown"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	entry := catalog[i]
	ids := []string{entry.Service.ID}
	for _, d := range entry.DependsOn {
		ids = append(ids, d.ServiceID)
	}
	next := at.Add(time.Second)
	views, err := s.List(ctx, Filter{ServiceIDs: ids, From: &at, To: &next})
	if err != nil {
		return nil, err
	}
	var out []*View
	for _, v := range views {
		if v.ServiceID == entry.Service.ID || affects(v, entry) {
			out = append(out, v)
		}
	}
	return out, nil
}

// affects reports whether an outage of another service hit a feature entry
// depends on.
func affects(v *View, entry CatalogEntry) bool {
	for _, d := range entry.DependsOn {
		for _, f := range v.Features {
			if d.ServiceID == v.ServiceID && d.FeatureCode == f.Code {
				return true
			}
		}
	}
	return false
}

// DayAvailability is one day's share of time a service was up.
type DayAvailability struct {
	Day     time.Time `json:"day"`
	Percent float64   `json:"percent"`
}

// Availability returns, per KST day over the last `days` days, the share of
// the day the service was not under an outage of its own.
func (s *Service) Availability(ctx context.Context, serviceID string, days int) ([]DayAvailability, error) {
	now := s.now()
	today := time.Date(now.In(kst).Year(), now.In(kst).Month(), now.In(kst).Day(), 0, 0, 0, 0, kst)
	from := today.AddDate(0, 0, -days+1)
	views, err := s.List(ctx, Filter{ServiceID: serviceID, From: &from})
	if err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	out := make([]DayAvailability, days)
	for i := range out {
		start := from.AddDate(0, 0, i)
		end := start.AddDate(0, 0, 1)
		if end.After(now) {
			end = now
		}
		span := end.Sub(start)
		var down time.Duration
		for _, v := range views {
			down += overlap(v.StartedAt, until(v.EndedAt, now), start, end)
		}
		pct := 100.0
		if span > 0 {
			pct = 100 * (1 - min(1, float64(down)/float64(span)))
		}
		out[i] = DayAvailability{Day: start, Percent: pct}
	}
	return out, nil
}

func overlap(a0, a1, b0, b1 time.Time) time.Duration {
	lo, hi := a0, a1
	if b0.After(lo) {
		lo = b0
	}
	if b1.Before(hi) {
		hi = b1
	}
	if hi.After(lo) {
		return hi.Sub(lo)
	}
	return 0
}
