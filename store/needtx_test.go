package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestWritesOfSeveralRowsRunOnlyInsideInTx: the store opens no transaction
// of its own for a write of several rows. Outside InTx each such write is
// store.ErrNoTx and leaves every table as it was; inside InTx the same call
// writes. The cases run in order on one claim and one outage.
func TestWritesOfSeveralRowsRunOnlyInsideInTx(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		f := w.filed(t)
		id, now := f.Claim.ID, w.now
		rec, err := db.Outages().Outage(ctx, w.paidOut)
		if err != nil {
			t.Fatal(err)
		}
		feature := rec.Features[0].Feature.ID
		claim := func(tx *store.DB) *models.Claim {
			c, err := tx.Claims().Claim(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		entry := func(action, entity, of string) *models.AuditEntry { return entryFor(action, entity, of, now) }
		cases := []struct {
			name  string
			write func(tx *store.DB) error
		}{
			{"UpdateClaim", func(tx *store.DB) error {
				c := claim(tx)
				c.Version++
				ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: c.Status, CreatedAt: now}
				return tx.Claims().UpdateClaim(ctx, c, ev, newMessage("claim-event-"+ev.ID, now), entry("claim.status", audit.EntityClaim, id))
			}},
			{"ReplaceEstimate", func(tx *store.DB) error {
				e := *f.Estimate
				e.ID, e.AmountKRW = uuid.NewString(), 4400
				return tx.Claims().ReplaceEstimate(ctx, &e, now, entry("claim.reprice", audit.EntityClaim, id))
			}},
			{"ClaimStore.AddEvidence", func(tx *store.DB) error {
				return tx.Claims().AddEvidence(ctx, evidenceOf(id, now), entry("claim.evidence", audit.EntityClaim, id))
			}},
			{"ReviewStore.AddEvidence", func(tx *store.DB) error {
				return tx.Review().AddEvidence(ctx, evidenceOf(id, now), entry("claim.evidence", audit.EntityClaim, id))
			}},
			{"Lease", func(tx *store.DB) error {
				c := claim(tx)
				from, until := c.Version, now.Add(30*time.Minute)
				c.Status, c.Version, c.UpdatedAt, c.LeasedBy, c.LeaseExpiresAt = models.StatusUnderReview, from+1, now, &w.staff, &until
				return tx.Review().Lease(ctx, c, from, entry("claim.lease", audit.EntityClaim, id))
			}},
			{"Decide", func(tx *store.DB) error {
				c := claim(tx)
				d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: c.Version, ActorID: &w.staff, ActorRole: "supervisor",
					Action: "approve", FromStatus: c.Status, ToStatus: models.StatusApproved, AmountKRW: 3300, CreatedAt: now}
				c.Status, c.Version, c.ApprovedAmountKRW, c.DecidedBy, c.DecidedAt = models.StatusApproved, c.Version+1, 3300, &w.staff, &now
				ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: c.Status, CreatedAt: now}
				return tx.Review().Decide(ctx, c, d, ev, newMessage("claim-event-"+ev.ID, now), entry("claim.decide", audit.EntityClaim, id))
			}},
			{"CreateService", func(tx *store.DB) error {
				svc := &models.Service{ID: uuid.NewString(), Code: "mail", Name: "메일", ProviderID: rec.Service.ProviderID, CreatedAt: now}
				feats := []models.Feature{{ID: uuid.NewString(), ServiceID: svc.ID, Code: "send", Name: "발송"}}
				deps := []models.Dependency{{ServiceID: svc.ID, FeatureID: feature}}
				return tx.Outages().CreateService(ctx, svc, feats, deps)
			}},
			{"CreateOutage", func(tx *store.DB) error {
				o := &models.Outage{ID: uuid.NewString(), ServiceID: rec.Service.ID, Cause: "fire", Summary: "화재", Regions: "[]",
					StartedAt: now.AddDate(0, 0, -1), Version: 1, CreatedBy: w.staff, CreatedAt: now, UpdatedAt: now}
				return tx.Outages().CreateOutage(ctx, o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feature}},
					entry("outage.create", audit.EntityOutage, o.ID))
			}},
			{"UpdateOutage", func(tx *store.DB) error {
				cur, err := tx.Outages().Outage(ctx, w.paidOut)
				if err != nil {
					return err
				}
				o := cur.Outage
				o.Version, o.Summary, o.UpdatedAt = o.Version+1, "화재 (정정)", now
				rev := &models.OutageRevision{ID: uuid.NewString(), OutageID: o.ID, Version: o.Version, ActorID: w.staff, Reason: "정정",
					Before: "{}", After: "{}", CreatedAt: now}
				return tx.Outages().UpdateOutage(ctx, &o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feature}}, rev,
					entry("outage.correct", audit.EntityOutage, o.ID))
			}},
			{"AddNotice", func(tx *store.DB) error {
				n := &models.Notice{ID: uuid.NewString(), OutageID: w.paidOut, Kind: "interruption", Channels: `["website"]`, SentAt: now,
					Body: "고지", RecordedBy: w.staff, CreatedAt: now}
				return tx.Outages().AddNotice(ctx, n, entry("outage.notice", audit.EntityOutage, w.paidOut))
			}},
			{"AddUpdate", func(tx *store.DB) error {
				u := &models.OutageUpdate{ID: uuid.NewString(), OutageID: w.paidOut, AuthorID: w.staff, Body: "복구 중", CreatedAt: now}
				return tx.Outages().AddUpdate(ctx, u, entry("outage.update", audit.EntityOutage, w.paidOut))
			}},
		}
		for _, tc := range cases {
			before := tableState(t, db)
			if err := tc.write(db); !errors.Is(err, store.ErrNoTx) {
				t.Errorf("%s outside InTx: got %v, want store.ErrNoTx", tc.name, err)
			}
			if got := tableState(t, db); got != before {
				t.Errorf("%s outside InTx wrote:\n got %s\nwant %s", tc.name, got, before)
			}
			if err := db.InTx(ctx, tc.write); err != nil {
				t.Errorf("%s inside InTx: got %v, want nil", tc.name, err)
			}
			if got := tableState(t, db); got == before {
				t.Errorf("%s inside InTx wrote nothing: %s", tc.name, got)
			}
		}
	})
}

// evidenceOf is a new file record of claim id.
func evidenceOf(id string, at time.Time) *models.Evidence {
	return &models.Evidence{ID: uuid.NewString(), ClaimID: id, Kind: "receipt", SHA256: "x", Size: 1, ContentType: "application/pdf",
		StorageKey: "k/" + uuid.NewString(), OriginalName: "r.pdf", CreatedAt: at}
}

// tableState sums up the tables the writes of several rows touch: the row
// count of each and the versions of claims and outages.
func tableState(t *testing.T, db *store.DB) string {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, q := range []string{"SELECT COALESCE(SUM(version), 0) FROM claims", "SELECT COALESCE(SUM(version), 0) FROM outages",
		"SELECT COUNT(*) FROM claim_estimates WHERE superseded_at IS NULL",
		"SELECT COUNT(*) FROM claim_estimates", "SELECT COUNT(*) FROM claim_events", "SELECT COUNT(*) FROM evidence",
		"SELECT COUNT(*) FROM decisions", "SELECT COUNT(*) FROM outbox", "SELECT COUNT(*) FROM audit_entries",
		"SELECT COUNT(*) FROM services", "SELECT COUNT(*) FROM service_features", "SELECT COUNT(*) FROM service_dependencies",
		"SELECT COUNT(*) FROM outages", "SELECT COUNT(*) FROM outage_features", "SELECT COUNT(*) FROM outage_revisions",
		"SELECT COUNT(*) FROM notices", "SELECT COUNT(*) FROM outage_updates"} {
		var n int64
		if err := sqlDB.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out += fmt.Sprintf(" %d", n)
	}
	return out
}
