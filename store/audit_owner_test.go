package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// entryFor is the audit entry a use case builds for a change of entity id,
// the one the store is handed with the change. A malformed record is a
// mistake in the test: it panics.
func entryFor(action, entity, id string, at time.Time) *models.AuditEntry {
	e, err := audit.Build(audit.Record{Action: action, Entity: entity, EntityID: id, ActorRole: "system"}, at, uuid.NewString())
	if err != nil {
		panic(err)
	}
	return e
}

// filingEntry is the audit entry package claims builds for filing c: by the
// claimant, from their address, about them.
func filingEntry(c *models.Claim) *models.AuditEntry {
	e, err := audit.Build(audit.Record{ActorID: c.ClaimantID, ActorRole: "claimant", IP: "192.0.2.7", Action: "claim.file",
		Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID, Details: map[string]any{"number": c.Number}}, c.CreatedAt, uuid.NewString())
	if err != nil {
		panic(err)
	}
	return e
}

// TestFilingWithoutItsAuditEntryWritesNothing: the store persists the audit
// entry the use case built and makes none of its own, so a filing handed to
// it without one is refused before anything is written, the key it would
// take included, on the one-statement path and the row-by-row path alike.
func TestFilingWithoutItsAuditEntryWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		f := w.filing("")
		f.Answer = &claims.KeyAnswer{UserID: w.claimant.ID, Key: "k-none", Status: 201, Body: "{}", RequestHash: "h", CreatedAt: w.now}
		f.Audit = nil
		if err := db.Claims().CreateClaim(ctx, f); !errors.Is(err, audit.ErrMissing) {
			t.Fatalf("filing without its audit entry: got %v, want audit.ErrMissing", err)
		}
		if c, _, events, outbox, _, entries := w.written(t, f); c != nil || len(events) != 0 || outbox != 0 || len(entries) != 0 {
			t.Fatalf("written: claim %v, %d events, %d outbox rows, %d audit entries; want nothing", c, len(events), outbox, len(entries))
		}
		k := &models.IdempotencyKey{UserID: w.claimant.ID, Key: "k-none", RequestHash: "h", State: "in_flight", CreatedAt: w.now}
		if _, owned, err := db.Claims().ClaimKey(ctx, k, claims.StaleInFlight, claims.KeyTTL); err != nil || !owned {
			t.Fatalf("the key after the refused filing: owned %v, %v; want it still free", owned, err)
		}
	})
}

// TestChangesWithoutTheirAuditEntryAreRefused: every store write that
// records a change in the audit trail takes the entry from its caller and
// refuses to write the change without it.
func TestChangesWithoutTheirAuditEntryAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		f := w.filed(t)
		c := *f.Claim
		c.Status, c.Version = models.StatusWithdrawn, 2
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: c.ID, Status: c.Status, CreatedAt: w.now}
		out := newMessage("claim-event-"+ev.ID, w.now)
		d := &models.Decision{ID: uuid.NewString(), ClaimID: c.ID, ClaimVersion: 1, ActorRole: "system", Action: "auto_approve",
			FromStatus: "submitted", ToStatus: "approved", CreatedAt: w.now}
		e := &models.Evidence{ID: uuid.NewString(), ClaimID: c.ID, Kind: "receipt", SHA256: "x", Size: 1, ContentType: "application/pdf",
			StorageKey: "k/" + uuid.NewString(), OriginalName: "r.pdf", CreatedAt: w.now}
		writes := map[string]func(tx *store.DB) error{
			"UpdateClaim":     func(tx *store.DB) error { return tx.Claims().UpdateClaim(ctx, &c, ev, out, nil) },
			"ReplaceEstimate": func(tx *store.DB) error { return tx.Claims().ReplaceEstimate(ctx, f.Estimate, w.now, nil) },
			"AddEvidence":     func(tx *store.DB) error { return tx.Claims().AddEvidence(ctx, e, nil) },
			"Lease":           func(tx *store.DB) error { return tx.Review().Lease(ctx, &c, 1, nil) },
			"Decide":          func(tx *store.DB) error { return tx.Review().Decide(ctx, &c, d, ev, out, nil) },
		}
		for name, write := range writes {
			if err := db.InTx(ctx, write); !errors.Is(err, audit.ErrMissing) {
				t.Errorf("%s without its audit entry: got %v, want audit.ErrMissing", name, err)
			}
		}
		got, err := db.Claims().Claim(ctx, c.ID)
		if err != nil || got.Status != models.StatusSubmitted || got.Version != 1 {
			t.Fatalf("claim after the refused writes: got %+v (%v), want it submitted at version 1", got, err)
		}
		if _, _, events, _, _, entries := w.written(t, f); len(events) != 1 || len(entries) != 1 {
			t.Fatalf("after the refused writes: %d events, %d audit entries; want the filing's 1 and 1", len(events), len(entries))
		}
	})
}

// TestDecideManyWritesTheEntriesItIsGiven: the set-based adjudication
// stores each approval's own audit entry, as the review use case built it,
// and refuses a page in which one approval lacks its entry.
func TestDecideManyWritesTheEntriesItIsGiven(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newAdjWorld(t, db)
	if err := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, func() time.Time { return w.now }, uuid.NewString).EnsureDefaultPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	var list []review.AutoApproval
	for _, name := range []string{"first", "second"} {
		id := w.add(t, adjCase{name: name, category: "free_user", auto: true})
		c, err := db.Claims().Claim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		now := w.now
		c.Status, c.Version, c.UpdatedAt, c.DecidedAt = models.StatusApproved, c.Version+1, now, &now
		d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: c.Version - 1, ActorRole: "system", Action: "auto_approve",
			FromStatus: "submitted", ToStatus: "approved", CreatedAt: now}
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: "approved", CreatedAt: now}
		out := &models.OutboxMessage{ID: uuid.NewString(), Topic: claims.TopicStatus, DedupeID: "claim-event-" + ev.ID, Payload: "{}", AvailableAt: now, CreatedAt: now}
		a, err := audit.Build(audit.Record{ActorRole: "system", Action: "claim.decide", Entity: audit.EntityClaim, EntityID: id,
			SubjectID: c.ClaimantID, Details: map[string]any{"decision_id": d.ID}}, now, uuid.NewString())
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, review.AutoApproval{Claim: c, Decision: d, Event: ev, Outbox: out, Audit: a})
	}
	missing := []review.AutoApproval{list[0], list[1]}
	missing[1].Audit = nil
	if n, err := db.Review().DecideMany(ctx, missing); !errors.Is(err, audit.ErrMissing) || n != 0 {
		t.Fatalf("a page with an approval lacking its entry: got %d, %v; want 0, audit.ErrMissing", n, err)
	}
	// An id that is not a uuid fails the page; it is never written as NULL.
	// Nothing of the page stays: the full page below still decides both.
	badEntry := *list[1].Audit
	badSubject := "not-a-uuid"
	badEntry.SubjectID = &badSubject
	bad := []review.AutoApproval{list[0], list[1]}
	bad[1].Audit = &badEntry
	if n, err := db.Review().DecideMany(ctx, bad); err == nil || n != 0 {
		t.Fatalf("a page with a malformed subject id: got %d, %v; want 0 and an error", n, err)
	}
	if n, err := db.Review().DecideMany(ctx, list); err != nil || n != 2 {
		t.Fatalf("DecideMany: got %d, %v; want 2", n, err)
	}
	for _, a := range list {
		got, err := db.Audit().AuditEntries(ctx, audit.Filter{Entity: audit.EntityClaim, EntityID: a.Claim.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var decide []models.AuditEntry
		for _, e := range got {
			if e.Action == "claim.decide" {
				decide = append(decide, e)
			}
		}
		if len(decide) != 1 || decide[0].ID != a.Audit.ID || decide[0].Details != a.Audit.Details || !decide[0].At.Equal(a.Audit.At) ||
			decide[0].SubjectID == nil || *decide[0].SubjectID != a.Claim.ClaimantID {
			t.Fatalf("claim.decide entries of %s: got %+v, want exactly %+v", a.Claim.ID, decide, a.Audit)
		}
	}
}
