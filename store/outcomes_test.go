package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// countingClaims counts the calls of the per-page reads of a claims.Store.
type countingClaims struct {
	claims.Store
	calls map[string]int
}

func (s *countingClaims) OutcomeDecisions(ctx context.Context, ids ...string) (map[string][]models.Decision, error) {
	s.calls["OutcomeDecisions"]++
	return s.Store.OutcomeDecisions(ctx, ids...)
}

func (s *countingClaims) Payments(ctx context.Context, ids ...string) (map[string]models.PayoutItem, error) {
	s.calls["Payments"]++
	return s.Store.Payments(ctx, ids...)
}

func (s *countingClaims) EvidenceKinds(ctx context.Context, ids ...string) (map[string][]string, error) {
	s.calls["EvidenceKinds"]++
	return s.Store.EvidenceKinds(ctx, ids...)
}

// decideAt stores a decision moving claim id to status to, as review does.
func (w *adjWorld) decideAt(t *testing.T, id, action string, to models.ClaimStatus, amount int64, reason string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	c, err := w.db.Claims().Claim(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: c.Version, ActorID: &w.staff, ActorRole: "supervisor",
		Action: action, FromStatus: c.Status, ToStatus: to, AmountKRW: amount, ReasonCode: reason, CreatedAt: at}
	c.Status, c.Version, c.ApprovedAmountKRW, c.DecidedAt = to, c.Version+1, amount, &at
	ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: to, CreatedAt: at}
	out := &models.OutboxMessage{ID: uuid.NewString(), Topic: "t", DedupeID: uuid.NewString(), Payload: "{}", AvailableAt: at, CreatedAt: at}
	if err := w.db.InTx(ctx, func(tx *store.DB) error {
		return tx.Review().Decide(ctx, c, d, ev, out, entryFor("claim.decide", audit.EntityClaim, id, at))
	}); err != nil {
		t.Fatal(err)
	}
}

// settled puts claim id in a new batch for amount and settles the item.
func (w *adjWorld) settled(t *testing.T, id string, amount int64, status, ref string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	ps := w.db.Payouts()
	b := &models.PayoutBatch{ID: uuid.NewString(), CreatedBy: w.staff, Status: "open", ItemCount: 1, TotalKRW: amount, CreatedAt: at}
	it := models.PayoutItem{ID: uuid.NewString(), BatchID: b.ID, ClaimID: id, AmountKRW: amount, Status: "pending", CreatedAt: at}
	if err := ps.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := ps.AddItems(ctx, []models.PayoutItem{it}); err != nil {
		t.Fatal(err)
	}
	it.Status, it.Reference, it.SettledAt = status, ref, &at
	if err := ps.SettleItem(ctx, &it); err != nil {
		t.Fatal(err)
	}
}

// TestClaimListOutcomes: a list of claims carries each claim's own outcome
// and payment, read with one query each for the whole page (and one more
// for the files of the claims refused for insufficient evidence), on both
// dialects; a single claim reads its files once, not twice.
func TestClaimListOutcomes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		cs := &countingClaims{Store: db.Claims(), calls: map[string]int{}}
		outages := outage.NewService(db.Outages(), statute.DefaultSettings(), fixedClock, uuid.NewString)
		cl := claims.NewService(cs, outages, nil, nil, claims.EvidenceLimits{}, fixedClock, uuid.NewString)
		if err := cl.EnsureDefaultPolicy(ctx); err != nil {
			t.Fatal(err)
		}
		at := w.now.Add(-time.Hour)
		paid := w.add(t, adjCase{category: "driver", monetary: true, account: true, estimate: 7550, evidence: []string{"driver_id"}})
		w.decideAt(t, paid, "partial", "partially_approved", 2000, "insufficient_evidence", at.Add(time.Minute))
		w.settled(t, paid, 2000, "paid", "REF-A", at.Add(2*time.Minute))

		failed := w.add(t, adjCase{category: "paid_subscriber", monetary: true, account: true, estimate: 5000})
		w.decideAt(t, failed, "approve", "approved", 5000, "", at)
		w.settled(t, failed, 5000, "failed", "", at.Add(time.Minute))

		fourEyes := w.add(t, adjCase{category: "merchant", monetary: true, account: true, estimate: 600_000})
		w.decideAt(t, fourEyes, "partial", "pending_second_approval", 600_000, "substitute_available", at)
		w.decideAt(t, fourEyes, "second_approve", "partially_approved", 600_000, "", at.Add(3*time.Minute))

		rejected := w.add(t, adjCase{category: "free_user"})
		w.decideAt(t, rejected, "reject", "rejected", 0, "duplicate", at)

		open := w.add(t, adjCase{category: "free_user"})

		list, err := cl.List(ctx, &models.User{ID: w.staff, Role: models.RoleSupervisor}, claims.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 5 {
			t.Fatalf("%d claims listed, want 5", len(list))
		}
		got := map[string]string{}
		for _, v := range list {
			got[v.ID] = describe(v)
		}
		want := map[string]string{
			paid:     "partial ₩2000 insufficient_evidence missing [trip_records] at +1m; paid ₩2000 REF-A at +2m",
			failed:   "approve ₩5000 - missing [] at +0m; unpaid",
			fourEyes: "partial ₩600000 substitute_available missing [] at +3m; unpaid",
			rejected: "reject ₩0 duplicate missing [] at +0m; unpaid",
			open:     "no outcome; unpaid",
		}
		for id, wantText := range want {
			if g := relative(got[id], at); g != wantText {
				t.Errorf("claim %s: got %q, want %q", id[:8], g, wantText)
			}
		}
		for name, n := range map[string]int{"OutcomeDecisions": 1, "Payments": 1, "EvidenceKinds": 1} {
			if cs.calls[name] != n {
				t.Errorf("listing 5 claims called %s %d times, want %d", name, cs.calls[name], n)
			}
		}

		v, err := cl.ByID(ctx, paid)
		if err != nil {
			t.Fatal(err)
		}
		if describe(v) != got[paid] || cs.calls["EvidenceKinds"] != 1 {
			t.Errorf("one claim: %q with %d evidence reads in all; want the list's %q read from the files at hand", describe(v), cs.calls["EvidenceKinds"], got[paid])
		}
	})
}

// describe writes a view's outcome and payment with absolute times.
func describe(v *claims.View) string {
	s := "no outcome"
	if o := v.Outcome; o != nil {
		reason := "-"
		if o.ReasonCode != nil {
			reason = *o.ReasonCode
		}
		s = fmt.Sprintf("%s ₩%d %s missing %v at %s", o.Decision, o.AmountKRW, reason, o.MissingEvidence, o.DecidedAt.UTC().Format(time.RFC3339))
	}
	if p := v.Payment; p != nil {
		return s + fmt.Sprintf("; paid ₩%d %s at %s", p.AmountKRW, p.Reference, p.PaidAt.UTC().Format(time.RFC3339))
	}
	return s + "; unpaid"
}

// relative rewrites the times of describe's text as minutes after at.
func relative(s string, at time.Time) string {
	for m := range 4 {
		s = strings.ReplaceAll(s, at.Add(time.Duration(m)*time.Minute).UTC().Format(time.RFC3339), fmt.Sprintf("+%dm", m))
	}
	return s
}
