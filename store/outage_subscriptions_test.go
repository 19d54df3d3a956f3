package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestOutageSubscriptions: an address subscribes once per outage (a second
// try stores nothing and says so), a subscription is found only by its own
// token's hash, and only confirmed, not unsubscribed rows are subscribers.
func TestOutageSubscriptions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		os := db.Outages()
		sub := func(email, token string) *models.OutageSubscription {
			t.Helper()
			s := &models.OutageSubscription{ID: uuid.NewString(), OutageID: w.outage, Email: email, TokenHash: hashOf(token), CreatedAt: w.now}
			stored, err := os.Subscribe(ctx, s)
			if err != nil || !stored {
				t.Fatalf("subscribe %s: stored %v, %v", email, stored, err)
			}
			return s
		}
		a, b, c := sub("a@example.kr", "tok-a"), sub("b@example.kr", "tok-b"), sub("c@example.kr", "tok-c")
		again := &models.OutageSubscription{ID: uuid.NewString(), OutageID: w.outage, Email: "a@example.kr", TokenHash: hashOf("tok-a2"), CreatedAt: w.now}
		if stored, err := os.Subscribe(ctx, again); err != nil || stored {
			t.Fatalf("second subscription of a: stored %v, %v; want not stored, no error", stored, err)
		}
		if _, err := os.SubscriptionByTokenHash(ctx, hashOf("tok-a2")); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("the refused row's token found something: %v", err)
		}
		got, err := os.SubscriptionByTokenHash(ctx, hashOf("tok-b"))
		if err != nil || got.ID != b.ID {
			t.Fatalf("token b found %+v, %v", got, err)
		}
		if list, err := os.Subscribers(ctx, w.outage); err != nil || len(list) != 0 {
			t.Fatalf("before any confirmation: %v, %v; want none", list, err)
		}
		for _, s := range []*models.OutageSubscription{a, b} {
			if err := os.ConfirmSubscription(ctx, s.ID, w.now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Unsubscribe(ctx, b.ID, w.now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		list, err := os.Subscribers(ctx, w.outage)
		if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Email != "a@example.kr" {
			t.Fatalf("subscribers %+v, %v; want only a (b unsubscribed, c unconfirmed %s)", list, err, c.ID)
		}
		if err := os.ConfirmSubscription(ctx, uuid.NewString(), w.now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("confirming an unknown id: %v", err)
		}
		if err := os.Unsubscribe(ctx, "not-an-id", w.now); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unsubscribing a malformed id: %v", err)
		}
	})
}
