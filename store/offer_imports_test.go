package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestOfferImportStore: an import moves only from the version it was read
// at; offers and messages written twice are stored once, and the store
// names the ones it wrote; the provider of an outage is found.
func TestOfferImportStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		if err := db.Claims().CreatePolicy(ctx, &models.PolicyRecord{Version: 1, Name: "p", EffectiveFrom: w.now.AddDate(-1, 0, 0), Rules: "{}", CreatedAt: w.now}); err != nil {
			t.Fatal(err)
		}
		s := db.Offers()
		imp := &models.OfferImport{ID: uuid.NewString(), OutageID: w.outage, CreatedBy: &w.staff, Filename: "f.csv", BlobKey: "k", SizeBytes: 10,
			Status: "queued", AcceptanceDays: 30, Errors: "[]", Version: 1, CreatedAt: w.now, UpdatedAt: w.now}
		if err := s.CreateImport(ctx, imp); err != nil {
			t.Fatal(err)
		}
		imp.Status, imp.Rows, imp.BytesRead = "running", 5, 7
		if err := s.UpdateImport(ctx, imp, 1); err != nil || imp.Version != 2 {
			t.Fatalf("update from version 1: %v, version %d", err, imp.Version)
		}
		if err := s.UpdateImport(ctx, imp, 1); !errors.Is(err, apperr.ErrPreconditionFailed) {
			t.Fatalf("update from a stale version: got %v, want ErrPreconditionFailed", err)
		}
		got, err := s.Import(ctx, imp.ID)
		if err != nil || got.Status != "running" || got.Rows != 5 || got.BytesRead != 7 || got.Version != 2 {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := s.Import(ctx, uuid.NewString()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown import: %v", err)
		}
		batch := func(refs ...string) []models.Offer {
			var out []models.Offer
			for _, ref := range refs {
				out = append(out, models.Offer{ID: uuid.NewString(), OutageID: w.outage, ImportID: imp.ID, AccountRef: ref, Category: "free_user",
					Phone: "01012345678", Settlement: "bank", PolicyVersion: 1, Steps: "[]", Status: "granted", TokenHash: hashOf(uuid.NewString()),
					ExpiresAt: w.now, Version: 1, CreatedAt: w.now, UpdatedAt: w.now})
			}
			return out
		}
		first := batch("A", "B")
		if ids, err := s.InsertNewOffers(ctx, first); err != nil || len(ids) != 2 {
			t.Fatalf("first insert: %v, %v", ids, err)
		}
		again := batch("B", "C")
		ids, err := s.InsertNewOffers(ctx, again)
		if err != nil || len(ids) != 1 || ids[0] != again[1].ID {
			t.Fatalf("second insert: got %v, %v; want only C's id %s", ids, err, again[1].ID)
		}
		msg := func(dedupe string) models.OutboxMessage {
			return models.OutboxMessage{ID: uuid.NewString(), Topic: offers.TopicSMS, DedupeID: dedupe, Payload: "{}", AvailableAt: w.now, CreatedAt: w.now}
		}
		if n, err := s.EnqueueMessages(ctx, []models.OutboxMessage{msg("offer-sms-1"), msg("offer-sms-2")}); err != nil || n != 2 {
			t.Fatalf("enqueue: %d, %v", n, err)
		}
		if n, err := s.EnqueueMessages(ctx, []models.OutboxMessage{msg("offer-sms-2"), msg("offer-sms-3")}); err != nil || n != 1 {
			t.Fatalf("enqueue again: got %d, %v; want 1", n, err)
		}
		var granted []string
		err = s.EachGrantedOffer(ctx, w.outage, func(o models.Offer) error { granted = append(granted, o.AccountRef); return nil })
		if err != nil || fmt.Sprint(granted) != "[A B C]" {
			t.Fatalf("granted offers: %v, %v", granted, err)
		}
		list, err := s.OutageOffers(ctx, w.outage, offers.OfferFilter{Q: "B"}, 10)
		if err != nil || len(list) != 1 || list[0].AccountRef != "B" {
			t.Fatalf("search B: %v, %v", list, err)
		}
		if p, err := s.OutageProvider(ctx, w.outage); err != nil || p == "" {
			t.Fatalf("provider: %q, %v", p, err)
		}
		if _, err := s.OutageProvider(ctx, uuid.NewString()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown outage: %v", err)
		}
	})
}
