package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// OutageStore implements outage.Store.
type OutageStore struct{ db *DB }

// Outages returns the outage registry's store.
func (db *DB) Outages() OutageStore { return OutageStore{db} }

var _ outage.Store = OutageStore{}

// InTx runs fn in one transaction.
func (s OutageStore) InTx(ctx context.Context, fn func(outage.Store) error) error {
	return s.db.InTx(ctx, func(tx *DB) error { return fn(OutageStore{tx}) })
}

// CreateProvider inserts a provider; a taken name is ErrConflict.
func (s OutageStore) CreateProvider(ctx context.Context, p *models.Provider) error {
	return translate(s.db.with(ctx).Create(p).Error, "create provider")
}

// ProviderByName finds a provider by its exact name.
func (s OutageStore) ProviderByName(ctx context.Context, name string) (*models.Provider, error) {
	var p models.Provider
	if err := s.db.with(ctx).Where("name = ?", name).Take(&p).Error; err != nil {
		return nil, translate(err, "find provider "+name)
	}
	return &p, nil
}

// CreateService inserts a service with its features and dependencies. It
// runs only inside InTx (store.ErrNoTx otherwise).
func (s OutageStore) CreateService(ctx context.Context, svc *models.Service, features []models.Feature, deps []models.Dependency) error {
	if err := s.db.needTx("create service " + svc.Code); err != nil {
		return err
	}
	g := s.db.with(ctx)
	if err := g.Create(svc).Error; err != nil {
		return translate(err, "create service "+svc.Code)
	}
	if len(features) > 0 {
		if err := g.Create(&features).Error; err != nil {
			return translate(err, "create features")
		}
	}
	if len(deps) > 0 {
		if err := g.Create(&deps).Error; err != nil {
			return translate(err, "create dependencies")
		}
	}
	return nil
}

// Catalog returns every service with provider, features and dependencies.
func (s OutageStore) Catalog(ctx context.Context) ([]outage.CatalogEntry, error) {
	g := s.db.with(ctx)
	var (
		services  []models.Service
		providers []models.Provider
		features  []models.Feature
		deps      []models.Dependency
	)
	if err := g.Order("code").Find(&services).Error; err != nil {
		return nil, translate(err, "list services")
	}
	if err := g.Find(&providers).Error; err != nil {
		return nil, translate(err, "list providers")
	}
	if err := g.Order("code").Find(&features).Error; err != nil {
		return nil, translate(err, "list features")
	}
	if err := g.Find(&deps).Error; err != nil {
		return nil, translate(err, "list dependencies")
	}
	provByID := map[string]models.Provider{}
	for _, p := range providers {
		provByID[p.ID] = p
	}
	featByID := map[string]models.Feature{}
	for _, f := range features {
		featByID[f.ID] = f
	}
	svcByID := map[string]models.Service{}
	for _, sv := range services {
		svcByID[sv.ID] = sv
	}
	out := make([]outage.CatalogEntry, len(services))
	for i, sv := range services {
		e := outage.CatalogEntry{Service: sv, Provider: provByID[sv.ProviderID], Features: []models.Feature{}, DependsOn: []outage.DependencyRef{}}
		for _, f := range features {
			if f.ServiceID == sv.ID {
				e.Features = append(e.Features, f)
			}
		}
		for _, d := range deps {
			if d.ServiceID == sv.ID {
				f := featByID[d.FeatureID]
				e.DependsOn = append(e.DependsOn, outage.DependencyRef{ServiceID: f.ServiceID, ServiceCode: svcByID[f.ServiceID].Code,
					FeatureID: f.ID, FeatureCode: f.Code, FeatureName: f.Name})
			}
		}
		out[i] = e
	}
	return out, nil
}

// CreateOutage inserts an outage, its features and its audit entry a. It
// runs only inside InTx (store.ErrNoTx otherwise); audit.ErrMissing
// without a.
func (s OutageStore) CreateOutage(ctx context.Context, o *models.Outage, features []models.OutageFeature, a *models.AuditEntry) error {
	if err := s.db.needTx("create outage " + o.ID); err != nil {
		return err
	}
	if err := needAudit(a, "create outage "+o.ID); err != nil {
		return err
	}
	g := s.db.with(ctx)
	if err := g.Create(o).Error; err != nil {
		return translate(err, "create outage")
	}
	if err := g.Create(&features).Error; err != nil {
		return translate(err, "create outage features")
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// UpdateOutage saves a correction if nobody saved one since it was read,
// with its revision and audit entry a. It runs only inside InTx
// (store.ErrNoTx otherwise); audit.ErrMissing without a.
func (s OutageStore) UpdateOutage(ctx context.Context, o *models.Outage, features []models.OutageFeature, rev *models.OutageRevision, a *models.AuditEntry) error {
	if err := s.db.needTx("update outage " + o.ID); err != nil {
		return err
	}
	if err := needAudit(a, "update outage "+o.ID); err != nil {
		return err
	}
	g := s.db.with(ctx)
	res := g.Model(&models.Outage{}).Where("id = ? AND version = ?", o.ID, o.Version-1).Updates(map[string]any{
		"started_at": o.StartedAt, "ended_at": o.EndedAt, "cause": o.Cause, "critical_facility": o.CriticalFacility,
		"summary": o.Summary, "regions": o.Regions, "version": o.Version, "updated_at": o.UpdatedAt,
	})
	if res.Error != nil {
		return translate(res.Error, "update outage")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("outage %s changed meanwhile: %w", o.ID, apperr.ErrPreconditionFailed)
	}
	if err := g.Where("outage_id = ?", o.ID).Delete(&models.OutageFeature{}).Error; err != nil {
		return translate(err, "replace outage features")
	}
	if err := g.Create(&features).Error; err != nil {
		return translate(err, "replace outage features")
	}
	if err := g.Create(rev).Error; err != nil {
		return translate(err, "record revision")
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// Outage returns one outage with everything recorded about it.
func (s OutageStore) Outage(ctx context.Context, id string) (*outage.Record, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("outage %q: %w", id, apperr.ErrNotFound)
	}
	var o models.Outage
	if err := s.db.with(ctx).Where("id = ?", id).Take(&o).Error; err != nil {
		return nil, translate(err, "find outage "+id)
	}
	recs, err := s.records(ctx, []models.Outage{o}, true)
	if err != nil {
		return nil, err
	}
	return &recs[0], nil
}

// Outages lists outages matching f, newest start first.
func (s OutageStore) Outages(ctx context.Context, f outage.Filter) ([]outage.Record, error) {
	q := s.db.with(ctx).Model(&models.Outage{})
	if f.ServiceID != "" {
		q = q.Where("service_id = ?", f.ServiceID)
	}
	if len(f.ServiceIDs) > 0 {
		q = q.Where("service_id IN ?", f.ServiceIDs)
	}
	if f.To != nil {
		q = q.Where("started_at < ?", f.To.UTC())
	}
	if f.From != nil {
		q = q.Where("ended_at IS NULL OR ended_at > ?", f.From.UTC())
	}
	if f.Ongoing != nil {
		if *f.Ongoing {
			q = q.Where("ended_at IS NULL")
		} else {
			q = q.Where("ended_at IS NOT NULL")
		}
	}
	if len(f.MissingNotice) > 0 {
		q = q.Where(missingNotice(len(f.MissingNotice)), anySlice(f.MissingNotice)...)
	}
	if f.After != "" {
		var last models.Outage
		if err := s.db.with(ctx).Where("id = ?", f.After).Take(&last).Error; err != nil {
			return nil, apperr.InvalidBecause("next", apperr.ReasonBadCursor)
		}
		q = q.Where("started_at < ? OR (started_at = ? AND id < ?)", last.StartedAt, last.StartedAt, last.ID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var list []models.Outage
	if err := q.Order("started_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, translate(err, "list outages")
	}
	return s.records(ctx, list, false)
}

// records loads the related rows of many outages with one query per table.
func (s OutageStore) records(ctx context.Context, list []models.Outage, full bool) ([]outage.Record, error) {
	out := make([]outage.Record, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	g := s.db.with(ctx)
	var (
		services  []models.Service
		providers []models.Provider
		ofs       []models.OutageFeature
		features  []models.Feature
		notices   []models.Notice
		updates   []models.OutageUpdate
		revisions []models.OutageRevision
	)
	steps := []func() error{
		func() error {
			return g.Where("id IN (?)", g.Model(&models.Outage{}).Select("service_id").Where("id IN ?", ids)).Find(&services).Error
		},
		func() error { return g.Find(&providers).Error },
		func() error { return g.Where("outage_id IN ?", ids).Find(&ofs).Error },
		func() error {
			return g.Where("id IN (?)", g.Model(&models.OutageFeature{}).Select("feature_id").Where("outage_id IN ?", ids)).Order("code").Find(&features).Error
		},
		func() error { return g.Where("outage_id IN ?", ids).Order("sent_at").Find(&notices).Error },
	}
	if full {
		steps = append(steps,
			func() error { return g.Where("outage_id IN ?", ids).Order("created_at").Find(&updates).Error },
			func() error { return g.Where("outage_id IN ?", ids).Order("version").Find(&revisions).Error })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, translate(err, "load outage details")
		}
	}
	for i, o := range list {
		r := outage.Record{Outage: o}
		if j := slices.IndexFunc(services, func(sv models.Service) bool { return sv.ID == o.ServiceID }); j >= 0 {
			r.Service = services[j]
		}
		if j := slices.IndexFunc(providers, func(p models.Provider) bool { return p.ID == r.Service.ProviderID }); j >= 0 {
			r.Provider = providers[j]
		}
		for _, f := range features {
			for _, of := range ofs {
				if of.OutageID == o.ID && of.FeatureID == f.ID {
					r.Features = append(r.Features, outage.FeatureState{Feature: f, RestoredAt: of.RestoredAt})
				}
			}
		}
		r.Notices = filter(notices, func(n models.Notice) bool { return n.OutageID == o.ID })
		r.Updates = filter(updates, func(u models.OutageUpdate) bool { return u.OutageID == o.ID })
		r.Revisions = filter(revisions, func(v models.OutageRevision) bool { return v.OutageID == o.ID })
		out[i] = r
	}
	return out, nil
}

func filter[T any](list []T, keep func(T) bool) []T {
	var out []T
	for _, v := range list {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// AddNotice records a notice as sent, with its audit entry a. It runs only
// inside InTx (store.ErrNoTx otherwise); audit.ErrMissing without a.
func (s OutageStore) AddNotice(ctx context.Context, n *models.Notice, a *models.AuditEntry) error {
	if err := s.db.needTx("record notice of outage " + n.OutageID); err != nil {
		return err
	}
	if err := needAudit(a, "record notice of outage "+n.OutageID); err != nil {
		return err
	}
	if err := s.db.with(ctx).Create(n).Error; err != nil {
		return translate(err, "record notice")
	}
	return s.db.Audit().AppendAudit(ctx, a)
}

// AddUpdate appends a public timeline entry, with its audit entry a. It
// runs only inside InTx (store.ErrNoTx otherwise); audit.ErrMissing
// without a.
func (s OutageStore) AddUpdate(ctx context.Context, u *models.OutageUpdate, a *models.AuditEntry) error {
	if err := s.db.needTx("add timeline update to outage " + u.OutageID); err != nil {
		return err
	}
	if err := needAudit(a, "add timeline update to outage "+u.OutageID); err != nil {
		return err
	}
	if err := s.db.with(ctx).Create(u).Error; err != nil {
		return translate(err, "add timeline update")
	}
	return s.db.Audit().AppendAudit(ctx, a)
}
