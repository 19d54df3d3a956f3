package claims

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

// Get returns a claim to its owner or to staff who read claims (not
// operators); anyone else gets ErrNotFound, so a claim's existence does not
// leak.
func (s *Service) Get(ctx context.Context, viewer *models.User, id string) (*View, error) {
	p, err := s.store.ClaimPage(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(viewer, &p.Claim) {
		return nil, fmt.Errorf("claim %s: %w", id, apperr.ErrNotFound)
	}
	return s.view(ctx, p)
}

// Version returns the current version of a claim the viewer may see (the
// number in its ETag), read from the store; otherwise as Get.
func (s *Service) Version(ctx context.Context, viewer *models.User, id string) (int, error) {
	c, err := s.store.Claim(ctx, id)
	if err != nil {
		return 0, err
	}
	if !canSee(viewer, c) {
		return 0, fmt.Errorf("claim %s: %w", id, apperr.ErrNotFound)
	}
	return c.Version, nil
}

func canSee(viewer *models.User, c *models.Claim) bool {
	return viewer != nil && (viewer.Role.ReadsClaims() || viewer.ID == c.ClaimantID)
}

// load is the view of c, with the rest of its page read in one query.
func (s *Service) load(ctx context.Context, c *models.Claim) (*View, error) {
	p, err := s.store.ClaimPage(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	p.Claim = *c
	return s.view(ctx, p)
}

// view is the View of a claim's page: its outcome and payment settled, its
// filing deadline from the cached policy and outage.
func (s *Service) view(ctx context.Context, p *Page) (*View, error) {
	c := &p.Claim
	v := viewOf(c, p.Estimates, p.Events, p.Evidence)
	kinds := map[string][]string{c.ID: {}}
	for _, e := range p.Evidence {
		kinds[c.ID] = append(kinds[c.ID], e.Kind)
	}
	paid := map[string]models.PayoutItem{}
	if p.Payment != nil {
		paid[c.ID] = *p.Payment
	}
	decisions := map[string][]models.Decision{c.ID: p.Decisions}
	if err := s.settleWith(ctx, []*models.Claim{c}, []*View{v}, kinds, decisions, paid); err != nil {
		return nil, err
	}
	if p, err := s.policyByVersion(ctx, c.PolicyVersion); err == nil {
		if o, err := s.outages.Get(ctx, c.OutageID); err == nil {
			_, closes, _ := policy.FilingWindow(p, o.StartedAt, o.EndedAt)
			if o.EndedAt != nil {
				d := closes.UTC().Format(time.RFC3339)
				v.Deadlines["filing_closes_at"] = &d
			}
		}
	}
	return v, nil
}

// Sorts are the orders a claim list may be sorted in; "" is created_at.
var Sorts = []string{"", "created_at", "-created_at", "amount", "-amount"}

// check refuses filter values that databases would treat differently
// (PostgreSQL refuses a NUL byte or a malformed uuid, SQLite compares
// them): an outage or cursor that is not a UUID, and text with control
// characters or invalid UTF-8. Fields are named as the API's query
// parameters.
func (f Filter) check() error {
	var fs apperr.Fields
	if f.OutageID != "" {
		input.ID(&fs, "outage_id", f.OutageID)
	}
	if f.After != "" {
		input.ID(&fs, "next", f.After)
	}
	for _, st := range f.Status {
		input.Line(&fs, "status", st, 40)
	}
	input.Line(&fs, "category", f.Category, 40)
	input.Line(&fs, "sort", f.Sort, 40)
	input.Line(&fs, "flag", f.Flag, 40)
	input.Line(&fs, "q", f.Query, 200)
	return fs.Err()
}

// List returns claims matching f: a claimant sees only their own, staff
// who read claims all of them; an operator is apperr.ErrForbidden. Each
// carries its estimate, outcome and payment, read for the whole list in one
// query each.
func (s *Service) List(ctx context.Context, viewer *models.User, f Filter) ([]*View, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if !slices.Contains(Sorts, f.Sort) {
		return nil, apperr.InvalidMsg("sort", apperr.M("claims.sort_unknown"))
	}
	switch {
	case viewer.Role == models.RoleClaimant:
		f.ClaimantID = viewer.ID
	case !viewer.Role.ReadsClaims():
		return nil, fmt.Errorf("role %s does not read claims: %w", viewer.Role, apperr.ErrForbidden)
	}
	list, err := s.store.Claims(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	est, err := s.store.Estimates(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]*View, len(list))
	rows := make([]*models.Claim, len(list))
	for i := range list {
		rows[i] = &list[i]
		out[i] = viewOf(rows[i], est[list[i].ID], nil, nil)
	}
	if err := s.settle(ctx, rows, out, nil); err != nil {
		return nil, err
	}
	return out, nil
}
