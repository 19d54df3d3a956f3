package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestClaimPage: the page read returns what the per-row reads return (the
// claim, its estimates, events, files, outcome decisions and paid item),
// on both dialects, for a claim with all of them and one with none; an
// unknown or malformed id is ErrNotFound.
func TestClaimPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		defaultPolicy(t, db)
		at := w.now.Add(-time.Hour)
		full := w.add(t, adjCase{category: "driver", monetary: true, account: true, estimate: 7550, evidence: []string{"driver_id", "trip_records"}})
		w.decideAt(t, full, "partial", "partially_approved", 2000, "insufficient_evidence", at.Add(time.Minute))
		w.settled(t, full, 2000, "paid", "REF-A", at.Add(2*time.Minute))
		unpaid := w.add(t, adjCase{category: "paid_subscriber", monetary: true, account: true, estimate: 5000})
		w.decideAt(t, unpaid, "approve", "approved", 5000, "", at)
		w.settled(t, unpaid, 5000, "failed", "", at.Add(time.Minute))
		bare := w.add(t, adjCase{category: "free_user"})

		cs := db.Claims()
		for name, id := range map[string]string{"full": full, "failed payment": unpaid, "bare": bare} {
			got, err := cs.ClaimPage(ctx, id)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if g, w := pageJSON(t, got), pageJSON(t, pageOneByOne(t, cs, id)); g != w {
				t.Errorf("%s:\ngot  %s\nwant %s", name, g, w)
			}
		}
		p, err := cs.ClaimPage(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Evidence) != 2 || len(p.Decisions) != 1 || p.Payment == nil || p.Payment.Reference != "REF-A" {
			t.Errorf("full page: %d files, %d decisions, payment %+v; want 2, 1, REF-A", len(p.Evidence), len(p.Decisions), p.Payment)
		}
		for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
			if _, err := cs.ClaimPage(ctx, id); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("ClaimPage(%q): got %v, want ErrNotFound", id, err)
			}
		}
	})
}

// pageOneByOne reads a claim's page with the per-row store reads.
func pageOneByOne(t *testing.T, cs store.ClaimStore, id string) *claims.Page {
	t.Helper()
	ctx := context.Background()
	c, err := cs.Claim(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	est, err1 := cs.Estimates(ctx, id)
	ev, err2 := cs.Events(ctx, id)
	files, err3 := cs.EvidenceOf(ctx, id)
	dec, err4 := cs.OutcomeDecisions(ctx, id)
	paid, err5 := cs.Payments(ctx, id)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	p := &claims.Page{Claim: *c, Estimates: est[id], Events: ev, Evidence: files, Decisions: dec[id]}
	if it, ok := paid[id]; ok {
		p.Payment = &it
	}
	return p
}

// pageJSON writes p as JSON with empty lists as null, so that the two
// reads compare by content.
func pageJSON(t *testing.T, p *claims.Page) string {
	t.Helper()
	if len(p.Estimates) == 0 {
		p.Estimates = nil
	}
	if len(p.Events) == 0 {
		p.Events = nil
	}
	if len(p.Evidence) == 0 {
		p.Evidence = nil
	}
	if len(p.Decisions) == 0 {
		p.Decisions = nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
