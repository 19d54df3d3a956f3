package review_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/statute"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// world is a review service over a fresh SQLite store with one outage,
// a claimant and two reviewers, on a clock the test moves.
type world struct {
	db                 *store.DB
	rv                 *review.Service
	now                time.Time
	outageID           string
	claimant, ann, bob *models.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: dbtest.NewSQLite(t), now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	out := outage.NewService(w.db.Outages(), statute.DefaultSettings(), clock, uuid.NewString)
	cl := claims.NewService(w.db.Claims(), out, nil, nil, claims.EvidenceLimits{}, clock, uuid.NewString)
	if err := cl.EnsureDefaultPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	w.rv = review.NewService(w.db.Review(), cl, review.DefaultSettings, clock, uuid.NewString)
	w.claimant, w.ann, w.bob = w.user(t, models.RoleClaimant), w.user(t, models.RoleReviewer), w.user(t, models.RoleReviewer)
	prov := &models.Provider{ID: uuid.NewString(), Name: "플랫폼", Kind: "value_added", CreatedAt: w.now}
	if err := w.db.Outages().CreateProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	svc := &models.Service{ID: uuid.NewString(), Code: "taxi", Name: "taxi", ProviderID: prov.ID, CreatedAt: w.now}
	feat := models.Feature{ID: uuid.NewString(), ServiceID: svc.ID, Code: "main", Name: "main"}
	o := &models.Outage{ID: uuid.NewString(), ServiceID: svc.ID, Cause: "fire", Summary: "화재", Regions: "[]",
		StartedAt: w.now.AddDate(0, 0, -3), Version: 1, CreatedBy: w.ann.ID, CreatedAt: w.now, UpdatedAt: w.now}
	entry, err := audit.Build(audit.Record{Action: "outage.create", Entity: audit.EntityOutage, EntityID: o.ID}, w.now, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.InTx(ctx, func(tx *store.DB) error {
		if err := tx.Outages().CreateService(ctx, svc, []models.Feature{feat}, nil); err != nil {
			return err
		}
		return tx.Outages().CreateOutage(ctx, o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feat.ID}}, entry)
	}); err != nil {
		t.Fatal(err)
	}
	w.outageID = o.ID
	return w
}

func (w *world) user(t *testing.T, role models.Role) *models.User {
	t.Helper()
	u := &models.User{ID: uuid.Must(uuid.NewV7()).String(), Email: uuid.NewString() + "@example.com", PasswordHash: "x", Name: "김철수",
		Role: role, CreatedAt: w.now, UpdatedAt: w.now}
	if err := w.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// file files a free user's claim by claimant with no money asked, whose
// estimate needs a person.
func (w *world) file(t *testing.T, claimant *models.User) *models.Claim {
	t.Helper()
	c := &models.Claim{ID: uuid.Must(uuid.NewV7()).String(), Number: "T-" + uuid.NewString()[:13], OutageID: w.outageID, ClaimantID: claimant.ID,
		Category: models.CategoryFreeUser, Description: "피해", Details: "{}", Status: models.StatusSubmitted, PolicyVersion: 1, Version: 1,
		CreatedAt: w.now, UpdatedAt: w.now, Flags: "[]"}
	e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: c.ID, PolicyVersion: 1, Steps: "[]", ReviewRequired: true, CreatedAt: w.now}
	ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: c.ID, Status: c.Status, CreatedAt: w.now}
	a, err := audit.Build(audit.Record{Action: "claim.file", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID}, w.now, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Claims().CreateClaim(context.Background(), claims.Filing{Claim: c, Estimate: e, Event: ev, Audit: a}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) decide(ctx context.Context, actor *models.User, id string) error {
	c, err := w.db.Review().Claim(ctx, id)
	if err != nil {
		return err
	}
	_, err = w.rv.Decide(ctx, actor, id, &c.Version, review.DecisionInput{Outcome: "approve"})
	return err
}

// TestAppealGoesToAnotherReviewer: Ann decides a claim and its claimant
// appeals. Ann can neither decide, take nor be served the appeal; Bob is
// served it by Next and decides it.
func TestAppealGoesToAnotherReviewer(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	c := w.file(t, w.claimant)
	if err := w.decide(ctx, w.ann, c.ID); err != nil {
		t.Fatalf("Ann's first decision: %v", err)
	}
	w.now = w.now.Add(time.Hour)
	if _, err := w.rv.Appeal(ctx, w.claimant, c.ID, "금액이 너무 적습니다."); err != nil {
		t.Fatalf("appeal: %v", err)
	}
	w.now = w.now.Add(time.Hour)
	if err := w.decide(ctx, w.ann, c.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Ann decides her own decision's appeal: got %v, want ErrForbidden", err)
	}
	if _, err := w.rv.Lease(ctx, w.ann, c.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Ann takes her own decision's appeal: got %v, want ErrForbidden", err)
	}
	if v, err := w.rv.Next(ctx, w.ann); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Ann's queue: got %v (%v), want nothing to serve", v, err)
	}
	v, err := w.rv.Next(ctx, w.bob)
	if err != nil || v.ID != c.ID {
		t.Fatalf("Bob's queue: got %v (%v), want the appeal", v, err)
	}
	// Bob's lease runs out: the appeal, under review now, is still not Ann's.
	w.now = w.now.Add(review.DefaultSettings.LeaseFor + time.Second)
	if err := w.decide(ctx, w.ann, c.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Ann decides the appeal after Bob's lease ran out: got %v, want ErrForbidden", err)
	}
	if v, err := w.rv.Next(ctx, w.ann); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Ann's queue after Bob's lease ran out: got %v (%v), want nothing to serve", v, err)
	}
	if err := w.decide(ctx, w.bob, c.ID); err != nil {
		t.Fatalf("Bob decides the appeal: %v", err)
	}
	got, err := w.db.Review().Claim(ctx, c.ID)
	if err != nil || got.Status != models.StatusApproved || got.DecidedBy == nil || *got.DecidedBy != w.bob.ID {
		t.Errorf("after Bob's decision: got %+v (%v), want approved by Bob", got, err)
	}
}

// TestDeciderMayTakeOtherClaims: the rule is about appeals only; Ann's
// decision of one claim does not keep her from the next new claim.
func TestDeciderMayTakeOtherClaims(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	first := w.file(t, w.claimant)
	if err := w.decide(ctx, w.ann, first.ID); err != nil {
		t.Fatal(err)
	}
	second := w.file(t, w.user(t, models.RoleClaimant))
	v, err := w.rv.Next(ctx, w.ann)
	if err != nil || v.ID != second.ID {
		t.Fatalf("Ann's queue: got %v (%v), want the new claim", v, err)
	}
}
