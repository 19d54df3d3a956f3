package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// keyedFiling is a filing that takes key itself, bound to request hash.
func (w *filingWorld) keyedFiling(key, hash string) claims.Filing {
	f := w.filing(key)
	f.Answer.RequestHash, f.Answer.CreatedAt = hash, w.now
	return f
}

// useRiver queues the jobs with River, as served, instead of recording
// them.
func (w *filingWorld) useRiver(t *testing.T) {
	t.Helper()
	c, err := jobs.New(w.db, jobs.Config{Lanes: map[string]jobs.Lane{claims.TopicReview: jobs.Review}})
	if err != nil {
		t.Fatal(err)
	}
	w.db.SetJobs(c)
	w.inserter = c
}

// riverJobs counts the River jobs of f's outbox rows, once the
// dispatcher queued what the filing marked.
func (w *filingWorld) riverJobs(t *testing.T, f claims.Filing) int {
	t.Helper()
	db := w.db
	w.dispatch(t)
	n := 0
	for _, m := range f.Outbox {
		var rows []string
		if err := sqlStrings(context.Background(), db, `SELECT id FROM river_job WHERE args->>'outbox_id' = '`+m.ID+`'`, &rows); err != nil {
			t.Fatal(err)
		}
		n += len(rows)
	}
	return n
}

// TestFilingTakesItsKey: a filing that takes its idempotency key writes
// the key answered with everything else, without a transaction of the
// caller's (on PostgreSQL one statement); when the key exists it writes
// nothing at all and says ErrKeyUsed.
func TestFilingTakesItsKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		w.useRiver(t)
		f := w.keyedFiling("k1", "h1")
		if err := db.Claims().CreateClaim(ctx, f); err != nil {
			t.Fatal(err)
		}
		claim, ests, events, outbox, _, entries := w.written(t, f)
		if claim == nil || len(ests) != 1 || len(events) != 1 || outbox != 2 || w.riverJobs(t, f) != 2 || len(entries) != 1 {
			t.Fatalf("filing: claim %v, %d estimates, %d events, %d rows, %d jobs, %d entries; want all of one",
				claim != nil, len(ests), len(events), outbox, w.riverJobs(t, f), len(entries))
		}
		k := &models.IdempotencyKey{UserID: w.claimant.ID, Key: "k1", RequestHash: "h2", State: "in_flight", CreatedAt: w.now}
		got, owned, err := db.Claims().ClaimKey(ctx, k, claims.StaleInFlight, claims.KeyTTL)
		if err != nil || owned || got.State != "done" || got.RequestHash != "h1" || got.ResponseStatus != 201 || got.ResponseBody != f.Answer.Body {
			t.Fatalf("key after the filing: got %+v (owned %v, %v), want done for h1 with the answer", got, owned, err)
		}

		// The key exists: another filing under it (another category, so
		// nothing else stops it) writes nothing.
		again := w.keyedFiling("k1", "h1")
		again.Claim.Category = "driver"
		if err := db.Claims().CreateClaim(ctx, again); !errors.Is(err, claims.ErrKeyUsed) {
			t.Fatalf("filing under a used key: got %v, want ErrKeyUsed", err)
		}
		claim, ests, events, outbox, _, entries = w.written(t, again)
		if claim != nil || len(ests) != 0 || len(events) != 0 || outbox != 0 || w.riverJobs(t, again) != 0 || len(entries) != 0 {
			t.Fatalf("under a used key: claim %v, %d estimates, %d events, %d rows, %d jobs, %d entries; want nothing",
				claim != nil, len(ests), len(events), outbox, w.riverJobs(t, again), len(entries))
		}
		if got, _, _ := db.Claims().ClaimKey(ctx, k, claims.StaleInFlight, claims.KeyTTL); got.ResponseBody != f.Answer.Body {
			t.Fatalf("key after the refused filing: got %+v, want the first answer", got)
		}
	})
}

// TestFilingKeyConcurrent: filings racing under one new key (a client's
// retries) write one claim; the others wait for it and write nothing.
func TestFilingKeyConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		w.useRiver(t)
		const n = 8
		filings := make([]claims.Filing, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range filings {
			// The same outage and category: a second claim written would
			// fail on the schema's unique key, not on the idempotency key.
			filings[i] = w.keyedFiling("k1", "h1")
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Claims().CreateClaim(ctx, filings[i])
			}()
		}
		wg.Wait()
		filed := 0
		for i, err := range errs {
			switch {
			case err == nil:
				filed++
				if claim, _, _, _, _, _ := w.written(t, filings[i]); claim == nil {
					t.Fatalf("filing %d succeeded but its claim is missing", i)
				}
			case !errors.Is(err, claims.ErrKeyUsed):
				t.Fatalf("filing %d: got %v, want nil or ErrKeyUsed", i, err)
			}
		}
		var count []string
		if err := sqlStrings(ctx, db, `SELECT CAST(count(*) AS text) FROM claims WHERE claimant_id = '`+w.claimant.ID+`'`, &count); err != nil {
			t.Fatal(err)
		}
		if filed != 1 || count[0] != "1" {
			t.Fatalf("got %d filings acknowledged and %s claims, want 1 and 1", filed, count[0])
		}
	})
}
