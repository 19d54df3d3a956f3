package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// offerWorld is the statistics world with an import on its paid outage.
type offerWorld struct {
	*statsWorld
	importID string
}

func newOfferWorld(t *testing.T, db *store.DB) *offerWorld {
	t.Helper()
	w := &offerWorld{statsWorld: newStatsWorld(t, db), importID: uuid.NewString()}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec(pgPlaceholders(db, `INSERT INTO offer_imports (id, outage_id, created_by, filename, blob_key, size_bytes, status,
acceptance_days, created_at, updated_at) VALUES (?, ?, ?, 'a.csv', 'k', 1, 'done', 30, ?, ?)`), w.importID, w.paidOut, w.staff, w.now, w.now); err != nil {
		t.Fatal(err)
	}
	return w
}

// offer stores an offer of ₩1,000 in status on the paid outage, changed
// by edit.
func (w *offerWorld) offer(t *testing.T, status offers.Status, edit func(o *models.Offer)) models.Offer {
	t.Helper()
	id := uuid.NewString()
	sum := sha256.Sum256([]byte(id))
	o := models.Offer{ID: id, OutageID: w.paidOut, ImportID: w.importID, AccountRef: id, Category: "paid_subscriber", Name: "김",
		Phone: "01012345678", Settlement: "bank", AmountKRW: 1000, PolicyVersion: 1, Steps: "[]", Status: string(status),
		TokenHash: hex.EncodeToString(sum[:]), ExpiresAt: w.now.Add(24 * time.Hour), Version: 1, CreatedAt: w.now, UpdatedAt: w.now}
	if edit != nil {
		edit(&o)
	}
	if n, err := w.db.Offers().InsertOffers(context.Background(), []models.Offer{o}); err != nil || n != 1 {
		t.Fatalf("insert offer: %d, %v", n, err)
	}
	return o
}

func TestOfferLedgerAndTakeUpDays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newOfferWorld(t, db)
		at := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
		w.offer(t, offers.Accepted, func(o *models.Offer) { o.ActedAt = at("2024-03-01T14:59:59Z") })  // 23:59:59 KST, 1 March
		w.offer(t, offers.Contested, func(o *models.Offer) { o.ActedAt = at("2024-03-01T15:00:00Z") }) // 00:00 KST, 2 March
		w.offer(t, offers.Paid, func(o *models.Offer) { o.ActedAt = at("2024-03-02T01:00:00Z"); o.AmountKRW = 7550 })
		w.offer(t, offers.Declined, func(o *models.Offer) { o.ActedAt = at("2024-03-02T01:00:00Z") })
		w.offer(t, offers.Granted, nil)
		w.offer(t, offers.Offered, nil)
		led, err := offers.ComputeLedger(ctx, db.Offers(), w.paidOut)
		if err != nil {
			t.Fatal(err)
		}
		if led.Made != 6 || led.Answerable != 5 || led.TakenUp != 3 || led.TakeUpRate != 0.6 || led.WonByStatus["paid"] != 7550 || led.ByStatus["granted"] != 1 {
			t.Fatalf("ledger: %+v", led)
		}
		want := []offers.TakeUpPoint{{Day: "2024-03-01", Answered: 1, TakenUp: 1, Rate: 0.2}, {Day: "2024-03-02", Answered: 2, TakenUp: 3, Rate: 0.6}}
		if !slices.Equal(led.TakeUp, want) {
			t.Fatalf("take-up by Korean day: got %+v, want %+v", led.TakeUp, want)
		}
		if other, err := offers.ComputeLedger(ctx, db.Offers(), w.freeOut); err != nil || other.Made != 0 || len(other.TakeUp) != 0 {
			t.Fatalf("another outage: %+v, %v", other, err)
		}
		if all, err := offers.ComputeLedger(ctx, db.Stats(), ""); err != nil || all.Made != 6 {
			t.Fatalf("every outage: %+v, %v", all, err)
		}
	})
}

func TestOfferAnswerStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newOfferWorld(t, db)
		s := db.Offers()
		due := w.offer(t, offers.Offered, func(o *models.Offer) { o.ExpiresAt = w.now })
		w.offer(t, offers.Offered, func(o *models.Offer) { o.ExpiresAt = w.now.Add(time.Second) })
		w.offer(t, offers.Granted, func(o *models.Offer) { o.ExpiresAt = w.now.Add(-time.Hour) })
		mail := w.offer(t, offers.Offered, func(o *models.Offer) { o.Phone, o.Email = "", "kim@example.com" })
		overdue, err := s.OverdueOffers(ctx, w.now, 10)
		if err != nil || len(overdue) != 1 || overdue[0].ID != due.ID {
			t.Fatalf("overdue at exactly expires_at: %v, %v; want only that offer", overdue, err)
		}
		byPhone, err := s.OffersFor(ctx, w.staff, "01012345678", "")
		if err != nil || len(byPhone) != 3 {
			t.Fatalf("by phone: %d, %v; want 3 (an offer without a phone never matches an empty one)", len(byPhone), err)
		}
		if byMail, err := s.OffersFor(ctx, w.staff, "", "kim@example.com"); err != nil || len(byMail) != 1 || byMail[0].ID != mail.ID {
			t.Fatalf("by e-mail: %v, %v", byMail, err)
		}
		if none, err := s.OffersFor(ctx, w.staff, "", ""); err != nil || len(none) != 0 {
			t.Fatalf("no verified contact: %v, %v", none, err)
		}
		due.Status, due.Version = string(offers.Expired), 2
		if err := s.UpdateOffer(ctx, &due); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateOffer(ctx, &due); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale version: %v, want a conflict", err)
		}
		if _, err := s.OfferByToken(ctx, "0000"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		// Waiting offers keep their ended outage's statistics due for
		// refresh; answered ones unchanged since the snapshot do not.
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, q), args...); err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE outages SET ended_at = ?", w.now.Add(-24*time.Hour))
		svc := stats.NewService(db.Stats(), 14*24*time.Hour, func() time.Time { return w.now.Add(time.Hour) })
		if _, err := svc.RefreshSnapshots(ctx); err != nil {
			t.Fatal(err)
		}
		refreshDue := func() bool {
			t.Helper()
			ids, err := db.Stats().OutagesToRefresh(ctx, stats.SettledStatuses, stats.RefreshMargin)
			if err != nil {
				t.Fatal(err)
			}
			return slices.Contains(ids, w.paidOut)
		}
		if !refreshDue() {
			t.Fatal("an ended outage with waiting offers is not due for refresh")
		}
		exec("UPDATE offers SET status = 'expired'")
		if refreshDue() {
			t.Fatal("an ended outage whose offers are settled and unchanged is due for refresh")
		}
		exec("UPDATE offers SET updated_at = ? WHERE id = ?", w.now.Add(time.Hour), mail.ID)
		if !refreshDue() {
			t.Fatal("an outage whose offer changed after the snapshot is not due for refresh")
		}
	})
}
