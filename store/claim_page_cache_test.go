package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestClaimPageCacheFollowsEveryChange: after each kind of change to a
// claim (a file, a decision, flags, a payment, a re-pricing, a plain SQL
// update of the row), the next page read shows it, and equals the page read
// row by row; a page read twice with nothing changed in between is answered
// from the cache on PostgreSQL (SQLite has none and reads every time). A
// page read inside a transaction is the transaction's and does not outlive
// its rollback.
func TestClaimPageCacheFollowsEveryChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		defaultPolicy(t, db)
		cs := db.Claims()
		id := w.add(t, adjCase{category: "driver", monetary: true, account: true, estimate: 7550, evidence: []string{"driver_id"}})
		cached := db.Dialect() == store.Postgres

		// read checks the page against the row-by-row read and returns it,
		// with whether the cache answered.
		read := func(step string) (*models.Claim, bool) {
			t.Helper()
			before := db.ClaimPageCacheStats()
			p, err := cs.ClaimPage(ctx, id)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if g, w := pageJSON(t, p), pageJSON(t, pageOneByOne(t, cs, id)); g != w {
				t.Fatalf("%s: the page is not the claim's\ngot  %s\nwant %s", step, g, w)
			}
			after := db.ClaimPageCacheStats()
			return &p.Claim, after.Hits == before.Hits+1
		}
		// change makes a change and checks the next read shows it, and
		// that the read after that comes from the cache.
		change := func(step string, apply func(), shows func(p *models.Claim) bool) {
			t.Helper()
			apply()
			c, hit := read(step)
			if hit {
				t.Errorf("%s: the read after the change was answered from the cache", step)
			}
			if !shows(c) {
				t.Errorf("%s: the page does not show the change: %+v", step, c)
			}
			if _, hit := read(step + ", again"); hit != cached {
				t.Errorf("%s: read again, answered from the cache %v; want %v", step, hit, cached)
			}
		}

		read("first read")
		if _, hit := read("second read"); hit != cached {
			t.Errorf("second read answered from the cache: %v; want %v", hit, cached)
		}
		change("a file", func() { w.evidence(t, id, "trip_records", "hash-trip-"+id) },
			func(c *models.Claim) bool { return c.EvidenceCount == 2 })
		change("flags", func() {
			if err := db.Review().SetFlags(ctx, id, `["shared_account"]`); err != nil {
				t.Fatal(err)
			}
		}, func(c *models.Claim) bool { return c.Flags == `["shared_account"]` })
		change("a plain SQL update", func() {
			if err := sqlExec(ctx, db, "UPDATE claims SET description = ? WHERE id = ?", "고친 설명", id); err != nil {
				t.Fatal(err)
			}
		}, func(c *models.Claim) bool { return c.Description == "고친 설명" })
		at := w.now.Add(-time.Hour)
		change("a decision", func() { w.decideAt(t, id, "approve", models.StatusApproved, 7550, "", at) },
			func(c *models.Claim) bool { return c.Status == models.StatusApproved })
		change("a payment", func() {
			w.settled(t, id, 7550, "paid", "REF-C", at.Add(time.Minute))
			c, err := cs.Claim(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			from := c.Version
			c.Status, c.Version, c.UpdatedAt = models.StatusPaid, c.Version+1, at.Add(time.Minute)
			ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: c.Status, CreatedAt: c.UpdatedAt}
			out := &models.OutboxMessage{ID: uuid.NewString(), Topic: "t", DedupeID: uuid.NewString(), Payload: "{}", AvailableAt: c.UpdatedAt, CreatedAt: c.UpdatedAt}
			if err := db.InTx(ctx, func(tx *store.DB) error { return tx.Payouts().PayClaim(ctx, c, from, ev, out) }); err != nil {
				t.Fatal(err)
			}
		}, func(c *models.Claim) bool { return c.Status == models.StatusPaid })
		change("a re-pricing", func() {
			e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: id, PolicyVersion: 1, AmountKRW: 9000, Steps: "[]", CreatedAt: at.Add(2 * time.Minute)}
			if err := db.InTx(ctx, func(tx *store.DB) error {
				return tx.Claims().ReplaceEstimate(ctx, e, e.CreatedAt, entryFor("claim.reprice", "claim", id, e.CreatedAt))
			}); err != nil {
				t.Fatal(err)
			}
		}, func(c *models.Claim) bool { return c.EstimateAmountKRW == 9000 })

		// Inside a transaction the page is the transaction's, and its
		// rollback leaves the committed page.
		undo := errors.New("roll back")
		err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.Review().SetFlags(ctx, id, `["rolled_back"]`); err != nil {
				return err
			}
			p, err := tx.Claims().ClaimPage(ctx, id)
			if err != nil {
				return err
			}
			if p.Claim.Flags != `["rolled_back"]` {
				t.Errorf("inside the transaction the page shows flags %s; want its own write", p.Claim.Flags)
			}
			return undo
		})
		if !errors.Is(err, undo) {
			t.Fatal(err)
		}
		if c, _ := read("after the rollback"); c.Flags != `["shared_account"]` {
			t.Errorf("after the rollback the page shows flags %s; want the committed ones", c.Flags)
		}
		// A transaction writes the row more than once under one xmin: a
		// page it read between two writes must not be kept under that stamp.
		e := &models.Evidence{ID: uuid.NewString(), ClaimID: id, Kind: "other", SHA256: "hash-other-" + id, Size: 10,
			ContentType: "application/pdf", StorageKey: "k/" + uuid.NewString(), OriginalName: "other.pdf", CreatedAt: w.now}
		if err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.Review().SetFlags(ctx, id, `["in_between"]`); err != nil {
				return err
			}
			if _, err := tx.Claims().ClaimPage(ctx, id); err != nil {
				return err
			}
			return tx.Claims().AddEvidence(ctx, e, entryFor("claim.evidence", "claim", id, w.now))
		}); err != nil {
			t.Fatal(err)
		}
		if c, _ := read("after a transaction read its own page between writes"); c.EvidenceCount != 3 {
			t.Errorf("the page shows %d files; want 3", c.EvidenceCount)
		}
	})
}

// TestClaimPageCacheOff: WithClaimPageCache(0) keeps no page, and every read
// is whole.
func TestClaimPageCacheOff(t *testing.T) {
	dsn, drop := dbtest.CreatePostgresDB(t)
	t.Cleanup(drop)
	db, err := store.Open(context.Background(), dsn, store.WithClock(fixedClock), store.WithClaimPageCache(0))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := newAdjWorld(t, db)
	defaultPolicy(t, db)
	id := w.add(t, adjCase{category: "free_user"})
	for range 2 {
		if _, err := db.Claims().ClaimPage(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	if s := db.ClaimPageCacheStats(); s != (store.ClaimPageCacheStats{}) {
		t.Errorf("stats without a cache: %+v; want zero", s)
	}
}

// defaultPolicy publishes the default policy, which claims are priced by.
func defaultPolicy(t *testing.T, db *store.DB) {
	t.Helper()
	cl := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, fixedClock, uuid.NewString)
	if err := cl.EnsureDefaultPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
}
