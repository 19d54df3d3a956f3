package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestTimelineAndDecisionsHoldClaimStatusesOnly: claim_events.status and
// decisions.from_status/to_status take every claim status and refuse any
// other name, on insert and on update, on both databases (migration 00029:
// constraints on PostgreSQL, triggers on SQLite); the store reports the
// refusal as apperr.ErrInvalid and writes nothing of the change.
func TestTimelineAndDecisionsHoldClaimStatusesOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		f := w.filed(t)
		id := f.Claim.ID
		insertEvent := `INSERT INTO claim_events (id, claim_id, status, note, created_at) VALUES (?, ?, ?, '', ?)`
		insertDecision := `INSERT INTO decisions (id, claim_id, claim_version, actor_role, action, from_status, to_status, created_at)
VALUES (?, ?, ?, 'system', 'test', ?, ?, ?)`

		t.Run("every claim status is taken", func(t *testing.T) {
			for i, st := range models.ClaimStatuses() {
				if err := sqlExec(ctx, db, insertEvent, uuid.NewString(), id, st.String(), w.now); err != nil {
					t.Errorf("event %s: %v", st, err)
				}
				if err := sqlExec(ctx, db, insertDecision, uuid.NewString(), id, 100+i, st.String(), st.String(), w.now); err != nil {
					t.Errorf("decision %s to %s: %v", st, st, err)
				}
			}
		})

		t.Run("other names are refused", func(t *testing.T) {
			for _, bad := range []string{"", "closed", "Approved", "approved "} {
				if err := sqlExec(ctx, db, insertEvent, uuid.NewString(), id, bad, w.now); err == nil {
					t.Errorf("event status %q was stored", bad)
				}
				if err := sqlExec(ctx, db, insertDecision, uuid.NewString(), id, 200, bad, "approved", w.now); err == nil {
					t.Errorf("decision from %q was stored", bad)
				}
				if err := sqlExec(ctx, db, insertDecision, uuid.NewString(), id, 201, "submitted", bad, w.now); err == nil {
					t.Errorf("decision to %q was stored", bad)
				}
			}
			if err := sqlExec(ctx, db, `UPDATE claim_events SET status = 'closed' WHERE claim_id = ?`, id); err == nil {
				t.Error("an event's status was updated to closed")
			}
			if err := sqlExec(ctx, db, `UPDATE decisions SET from_status = 'closed' WHERE claim_id = ?`, id); err == nil {
				t.Error("a decision's from_status was updated to closed")
			}
			if err := sqlExec(ctx, db, `UPDATE decisions SET to_status = 'closed' WHERE claim_id = ?`, id); err == nil {
				t.Error("a decision's to_status was updated to closed")
			}
		})

		t.Run("the store reports a refused status as invalid", func(t *testing.T) {
			c, err := db.Claims().Claim(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			from := c.Version
			decided := *c
			decided.Status, decided.Version = models.StatusApproved, from+1
			d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: from, ActorRole: "system", Action: "auto_approve",
				FromStatus: models.StatusSubmitted, ToStatus: "closed", CreatedAt: w.now}
			ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: models.StatusApproved, CreatedAt: w.now}
			err = db.InTx(ctx, func(tx *store.DB) error {
				return tx.Review().Decide(ctx, &decided, d, ev, newMessage("claim-event-"+ev.ID, w.now), entryFor("claim.decide", audit.EntityClaim, id, w.now))
			})
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("Decide to closed: got %v, want apperr.ErrInvalid", err)
			}
			withdrawn := *c
			withdrawn.Status, withdrawn.Version = models.StatusWithdrawn, from+1
			ev = &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: "closed", CreatedAt: w.now}
			err = db.InTx(ctx, func(tx *store.DB) error {
				return tx.Claims().UpdateClaim(ctx, &withdrawn, ev, newMessage("claim-event-"+ev.ID, w.now), entryFor("claim.withdraw", audit.EntityClaim, id, w.now))
			})
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("UpdateClaim with a closed event: got %v, want apperr.ErrInvalid", err)
			}
			got, err := db.Claims().Claim(ctx, id)
			if err != nil || got.Status != models.StatusSubmitted || got.Version != from {
				t.Fatalf("claim after the refused writes: got %+v (%v), want it submitted at version %d", got, err, from)
			}
			ds, err := db.Review().Decisions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range ds {
				if x.ID == d.ID {
					t.Fatalf("the refused decision %s was stored", d.ID)
				}
			}
		})
	})
}
