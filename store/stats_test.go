package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// statsWorld is a provider with a paid and a free service, one outage of
// each and an outage with no claims.
type statsWorld struct {
	db                     *store.DB
	now                    time.Time
	staff                  string
	paidOut, freeOut, none string
}

func newStatsWorld(t *testing.T, db *store.DB) *statsWorld {
	t.Helper()
	ctx := context.Background()
	w := &statsWorld{db: db, now: testNow}
	staff := newUser("staff@example.com")
	staff.Role = models.RoleSupervisor
	if err := db.CreateUser(ctx, staff); err != nil {
		t.Fatal(err)
	}
	w.staff = staff.ID
	if err := db.Claims().CreatePolicy(ctx, &models.PolicyRecord{Version: 1, Name: "test", EffectiveFrom: w.now.AddDate(-1, 0, 0), Rules: "{}", CreatedAt: w.now}); err != nil {
		t.Fatal(err)
	}
	prov := &models.Provider{ID: uuid.NewString(), Name: "플랫폼", Kind: "value_added", CreatedAt: w.now}
	if err := db.Outages().CreateProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	outageOf := func(code string, paid bool) string {
		svc := &models.Service{ID: uuid.NewString(), Code: code, Name: code, ProviderID: prov.ID, Paid: paid, CreatedAt: w.now}
		feat := models.Feature{ID: uuid.NewString(), ServiceID: svc.ID, Code: "main", Name: "main"}
		o := &models.Outage{ID: uuid.NewString(), ServiceID: svc.ID, Cause: "fire", Summary: "화재", Regions: "[]",
			StartedAt: w.now.AddDate(0, 0, -60), Version: 1, CreatedBy: staff.ID, CreatedAt: w.now, UpdatedAt: w.now}
		if err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.Outages().CreateService(ctx, svc, []models.Feature{feat}, nil); err != nil {
				return err
			}
			return tx.Outages().CreateOutage(ctx, o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feat.ID}}, entryFor("outage.create", audit.EntityOutage, o.ID, o.CreatedAt))
		}); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	w.paidOut, w.freeOut, w.none = outageOf("taxi", true), outageOf("talk", false), outageOf("map", true)
	return w
}

// claimSpec is one claim inserted as is: age is how long ago it was filed,
// decidedAfter (when set) how long after filing it was decided, payout the
// status and amount of its payout item (none when empty).
type claimSpec struct {
	outage                  string
	status                  models.ClaimStatus
	category                models.ClaimCategory
	monetary                bool
	claimed, estimate, appr int64
	age, decidedAfter       time.Duration
	payout                  string
	payoutKRW               int64
}

func (w *statsWorld) add(t *testing.T, specs ...claimSpec) {
	t.Helper()
	ctx := context.Background()
	sqlDB, err := w.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	batch := uuid.NewString()
	if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(w.db, "INSERT INTO payout_batches (id, created_by, status, item_count, total_krw, created_at) VALUES (?, ?, 'open', 0, 0, ?)"),
		batch, w.staff, w.now); err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		u := newUser(uuid.NewString() + "@example.com")
		if err := w.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		created := w.now.Add(-s.age)
		c := &models.Claim{ID: uuid.NewString(), Number: "T-" + uuid.NewString()[:13], ClaimantID: u.ID, OutageID: s.outage, Category: s.category,
			Monetary: s.monetary, Description: "피해", ClaimedAmountKRW: s.claimed, Details: "{}", PayoutBank: "004", PayoutHolder: "x",
			PayoutNumberSealed: "x", PayoutKeyID: "k", PayoutNumberMasked: "***", Status: s.status, EstimateAmountKRW: s.estimate,
			PolicyVersion: 1, Version: 1, CreatedAt: created, UpdatedAt: created, ApprovedAmountKRW: s.appr, Flags: "[]"}
		if s.decidedAfter > 0 {
			d := created.Add(s.decidedAfter)
			c.DecidedAt = &d
		}
		e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: c.ID, PolicyVersion: 1, AmountKRW: s.estimate, Steps: "[]", CreatedAt: created}
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: c.ID, Status: s.status, CreatedAt: created}
		out := &models.OutboxMessage{ID: uuid.NewString(), Topic: "t", DedupeID: uuid.NewString(), Payload: "{}", AvailableAt: created, CreatedAt: created}
		if err := w.db.Claims().CreateClaim(ctx, claims.Filing{Claim: c, Estimate: e, Event: ev, Outbox: []*models.OutboxMessage{out},
			Audit: entryFor("claim.file", audit.EntityClaim, c.ID, c.CreatedAt)}); err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
		if s.payout != "" {
			if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(w.db, "INSERT INTO payout_items (id, batch_id, claim_id, amount_krw, status, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
				uuid.NewString(), batch, c.ID, s.payoutKRW, s.payout, w.now); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const hour, day = time.Hour, 24 * time.Hour

func TestStatsFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newStatsWorld(t, db)
		a, b := w.paidOut, w.freeOut
		w.add(t,
			// Decided, 1, 2, 4, 10 and 20 hours after filing.
			claimSpec{outage: a, status: "paid", category: "merchant", monetary: true, claimed: 100_000, estimate: 80_000, appr: 80_000, age: 30 * day, decidedAfter: 1 * hour, payout: "paid", payoutKRW: 80_000},
			claimSpec{outage: a, status: "approved", category: "driver", monetary: true, claimed: 50_000, estimate: 40_000, appr: 40_000, age: 30 * day, decidedAfter: 2 * hour, payout: "failed", payoutKRW: 40_000},
			claimSpec{outage: a, status: "partially_approved", category: "merchant", monetary: true, claimed: 200_000, estimate: 150_000, appr: 120_000, age: 30 * day, decidedAfter: 4 * hour, payout: "pending", payoutKRW: 120_000},
			claimSpec{outage: a, status: "rejected", category: "free_user", age: 30 * day, decidedAfter: 10 * hour},
			claimSpec{outage: a, status: "rejected", category: "paid_subscriber", monetary: true, claimed: 30_000, estimate: 10_000, age: 30 * day, decidedAfter: 20 * hour},
			// Open, one per age bucket; the appealed and the awaiting-second-approval
			// ones have a decided_at but no final decision.
			claimSpec{outage: a, status: "submitted", category: "driver", monetary: true, claimed: 10_000, estimate: 9_000, age: 2 * hour},
			claimSpec{outage: a, status: "under_review", category: "paid_subscriber", monetary: true, claimed: 20_000, estimate: 15_000, age: 2 * day},
			claimSpec{outage: a, status: "supplement_requested", category: "merchant", age: 5 * day},
			claimSpec{outage: a, status: "appealed", category: "driver", monetary: true, claimed: 5_000, estimate: 5_000, age: 10 * day, decidedAfter: 3 * hour},
			claimSpec{outage: a, status: "pending_second_approval", category: "merchant", monetary: true, claimed: 900_000, estimate: 700_000, appr: 700_000, age: 20 * day, decidedAfter: 5 * hour},
			claimSpec{outage: a, status: "withdrawn", category: "free_user", age: 40 * day},
			// The free service's outage.
			claimSpec{outage: b, status: "paid", category: "merchant", monetary: true, claimed: 60_000, estimate: 50_000, appr: 50_000, age: 15 * day, decidedAfter: 8 * hour, payout: "paid", payoutKRW: 50_000},
			claimSpec{outage: b, status: "submitted", category: "free_user", age: 15 * day},
		)
		svc := stats.NewService(db.Stats(), 14*day, func() time.Time { return w.now })

		type want struct {
			claims               int64
			byStatus, byCategory map[string]int64
			triage               stats.Triage
			money                stats.Money
			decision             stats.DecisionTime
			buckets              []int64
			open, over           int64
		}
		check := func(t *testing.T, outageID string, w want) {
			t.Helper()
			f, err := svc.Figures(ctx, outageID)
			if err != nil {
				t.Fatal(err)
			}
			if (outageID == "") != (f.OutageID == nil) {
				t.Errorf("outage_id = %v for %q", f.OutageID, outageID)
			}
			if f.Claims != w.claims {
				t.Errorf("claims = %d, want %d", f.Claims, w.claims)
			}
			for _, st := range stats.Statuses {
				if f.ByStatus[st] != w.byStatus[st] {
					t.Errorf("by_status[%s] = %d, want %d", st, f.ByStatus[st], w.byStatus[st])
				}
			}
			for _, c := range stats.Categories {
				if f.ByCategory[c] != w.byCategory[c] {
					t.Errorf("by_category[%s] = %d, want %d", c, f.ByCategory[c], w.byCategory[c])
				}
			}
			if len(f.ByStatus) != len(stats.Statuses) || len(f.ByCategory) != len(stats.Categories) {
				t.Errorf("by_status %v / by_category %v: want every status and category, zeros included", f.ByStatus, f.ByCategory)
			}
			if f.Triage != w.triage {
				t.Errorf("triage = %+v, want %+v", f.Triage, w.triage)
			}
			if f.Money != w.money {
				t.Errorf("money = %+v, want %+v", f.Money, w.money)
			}
			if f.Decision != w.decision {
				t.Errorf("decision hours = %+v, want %+v", f.Decision, w.decision)
			}
			if len(f.Backlog.Buckets) != len(stats.Buckets) {
				t.Fatalf("backlog buckets = %+v", f.Backlog.Buckets)
			}
			for i, bc := range f.Backlog.Buckets {
				if bc.Bucket != stats.Buckets[i].Key || bc.Count != w.buckets[i] {
					t.Errorf("backlog bucket %d = %+v, want %s: %d", i, bc, stats.Buckets[i].Key, w.buckets[i])
				}
			}
			if f.Backlog.Open != w.open || f.Backlog.OverTarget != w.over || f.Backlog.ReviewTargetDays != 14 {
				t.Errorf("backlog = %+v, want open %d, over target %d, target 14 days", f.Backlog, w.open, w.over)
			}
		}

		t.Run("outage", func(t *testing.T) {
			// Decision hours sorted: 1 2 4 10 20. p50 is at position 0.5·4 = 2:
			// 4h. p90 at 0.9·4 = 3.6: 10 + 0.6·(20−10) = 16h.
			check(t, a, want{claims: 11,
				byStatus: map[string]int64{"paid": 1, "approved": 1, "partially_approved": 1, "rejected": 2, "submitted": 1, "under_review": 1,
					"supplement_requested": 1, "appealed": 1, "pending_second_approval": 1, "withdrawn": 1},
				byCategory: map[string]int64{"merchant": 4, "driver": 3, "free_user": 2, "paid_subscriber": 2},
				triage:     stats.Triage{Monetary: 8, NonMonetary: 3, PaidService: 11, FreeService: 0, Merchant: 4, MerchantShare: 0.3636},
				// Approved: paid 80,000 + approved 40,000 + partial 120,000 (not the
				// 700,000 awaiting a second approval). Paid: only the paid item.
				// Outstanding: 40,000 (its item failed) + 120,000 (item pending).
				money:    stats.Money{RequestedKRW: 1_315_000, EstimatedKRW: 1_009_000, ApprovedKRW: 240_000, PaidKRW: 80_000, OutstandingKRW: 160_000},
				decision: stats.DecisionTime{Decided: 5, P50: 4, P90: 16},
				buckets:  []int64{1, 1, 1, 1, 1}, open: 5, over: 1})
		})
		t.Run("overall", func(t *testing.T) {
			// Decision hours sorted: 1 2 4 8 10 20. p50 at 0.5·5 = 2.5: 4 +
			// 0.5·(8−4) = 6h. p90 at 0.9·5 = 4.5: 10 + 0.5·(20−10) = 15h.
			check(t, "", want{claims: 13,
				byStatus: map[string]int64{"paid": 2, "approved": 1, "partially_approved": 1, "rejected": 2, "submitted": 2, "under_review": 1,
					"supplement_requested": 1, "appealed": 1, "pending_second_approval": 1, "withdrawn": 1},
				byCategory: map[string]int64{"merchant": 5, "driver": 3, "free_user": 3, "paid_subscriber": 2},
				triage:     stats.Triage{Monetary: 9, NonMonetary: 4, PaidService: 11, FreeService: 2, Merchant: 5, MerchantShare: 0.3846},
				money:      stats.Money{RequestedKRW: 1_375_000, EstimatedKRW: 1_059_000, ApprovedKRW: 290_000, PaidKRW: 130_000, OutstandingKRW: 160_000},
				decision:   stats.DecisionTime{Decided: 6, P50: 6, P90: 15},
				buckets:    []int64{1, 1, 1, 1, 2}, open: 6, over: 2})
		})
		t.Run("empty outage", func(t *testing.T) {
			check(t, w.none, want{buckets: []int64{0, 0, 0, 0, 0}})
		})
		t.Run("unknown outage", func(t *testing.T) {
			for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
				if _, err := svc.Figures(ctx, id); !errors.Is(err, apperr.ErrNotFound) {
					t.Errorf("Figures(%q): %v, want ErrNotFound", id, err)
				}
			}
		})
		if db.Dialect() == store.Postgres {
			t.Run("percentile_cont agrees", func(t *testing.T) {
				sqlDB, _ := db.SQL()
				var p50, p90 float64
				err := sqlDB.QueryRowContext(ctx, `SELECT
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - created_at) / 3600),
  percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - created_at) / 3600)
FROM claims WHERE decided_at IS NOT NULL AND status IN ('approved','partially_approved','rejected','paid')`).Scan(&p50, &p90)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(p50-6) > 1e-9 || math.Abs(p90-15) > 1e-9 {
					t.Errorf("percentile_cont: p50 %v, p90 %v; want 6 and 15", p50, p90)
				}
			})
		}
	})
}
