package store_test

import (
	"context"
	"slices"
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

// TestSignalFactsOnePerClaimAndPerPage files claims that share each signal
// with another claimant's, and a burst from one address whose last filing
// falls exactly on the window's edge, and expects the per-claim facts
// (SignalFacts) to give each claim its flags; on PostgreSQL the page query
// of the batch adjudication (AutoCandidates) must give every claim the
// same facts. SQLite has no page query: its batch runs the per-claim one.
func TestSignalFactsOnePerClaimAndPerPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSignalWorld(t, db)
		rules := review.SignalRules{BurstWindow: 10 * time.Minute, BurstCount: 5}
		at := func(d time.Duration) func(*models.Claim, *models.User) {
			return func(o *models.Claim, _ *models.User) { o.ClientIP, o.CreatedAt = "203.0.113.7", w.now.Add(d) }
		}
		cases := []struct {
			name  string
			setup func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User)
			want  []string
		}{
			{"nothing shared", nil, []string{}},
			{"shared account", func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				c.PayoutFingerprint = "fp-shared"
				w.other(t, func(o *models.Claim, _ *models.User) { o.PayoutFingerprint = "fp-shared" })
			}, []string{review.FlagSharedAccount}},
			{"shared phone", func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				u.Phone = "010-3333-4444"
				w.other(t, func(_ *models.Claim, o *models.User) { o.Phone = "010-3333-4444" })
			}, []string{review.FlagSharedPhone}},
			{"shared business number", func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				w.after = append(w.after, func() { w.profile(t, u.ID, "222-33-44444") })
				w.other(t, func(_ *models.Claim, o *models.User) {
					w.after = append(w.after, func() { w.profile(t, o.ID, "222-33-44444") })
				})
			}, []string{review.FlagSharedBusinessNumber}},
			{"shared evidence file", func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				w.after = append(w.after, func() { w.evidence(t, c.ID, "billing", "hash-shared") })
				w.other(t, func(o *models.Claim, _ *models.User) {
					w.after = append(w.after, func() { w.evidence(t, o.ID, "billing", "hash-shared") })
				})
			}, []string{review.FlagSharedEvidence}},
			{"sixth claimant from one address, the last exactly at the window's edge", func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				c.ClientIP = "203.0.113.7"
				for _, d := range []time.Duration{-10 * time.Minute, -time.Minute, 0, time.Minute, 10 * time.Minute, 10*time.Minute + time.Second} {
					w.other(t, at(d))
				}
			}, []string{review.FlagBurst}},
		}
		ids := make([]string, len(cases))
		for i, k := range cases {
			ids[i] = w.add(t, adjCase{name: k.name, category: "free_user", auto: true, setup: k.setup})
		}
		perClaim := map[string]review.SignalFacts{}
		for i, k := range cases {
			f, err := db.Review().SignalFacts(ctx, &models.Claim{ID: ids[i]}, rules)
			if err != nil {
				t.Fatal(err)
			}
			perClaim[ids[i]] = f
			if got := rules.Signals(f); !slices.Equal(got, k.want) {
				t.Errorf("%s: got %v (facts %+v), want %v", k.name, got, f, k.want)
			}
		}
		if !db.Review().SetBased() {
			return
		}
		seen := 0
		for after := ""; ; {
			page, err := db.Review().AutoCandidates(ctx, "", after, 4, rules)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, a := range page {
				want, err := db.Review().SignalFacts(ctx, &a.Claim, rules)
				if err != nil {
					t.Fatal(err)
				}
				if a.Facts != want {
					t.Errorf("claim %s: page facts %+v, per-claim facts %+v", a.Claim.ID, a.Facts, want)
				}
				if f, ok := perClaim[a.Claim.ID]; ok && f != a.Facts {
					t.Errorf("claim %s: page facts %+v, want %+v", a.Claim.ID, a.Facts, f)
				}
				seen++
			}
			after = page[len(page)-1].Claim.ID
		}
		if seen != len(cases)+w.others {
			t.Errorf("the pages held %d claims, want %d", seen, len(cases)+w.others)
		}
	})
}

// TestRelatedFollowsTheSignalFacts: Related lists exactly the other
// claimants' open claims that share a signal with a claim, by the rule the
// signal facts use: each claim it lists has the signal, and so has the
// claim itself. A closed claim sharing the signal still makes the signal
// but is not listed (only open claims can still be decided).
func TestRelatedFollowsTheSignalFacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSignalWorld(t, db)
		window := 10 * time.Minute
		type share struct {
			flag  string
			apply func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User, o *models.Claim, ou *models.User)
		}
		shares := []share{
			{review.FlagSharedAccount, func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User, o *models.Claim, ou *models.User) {
				c.PayoutFingerprint, o.PayoutFingerprint = "fp-"+c.ID, "fp-"+c.ID
			}},
			{review.FlagSharedPhone, func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User, o *models.Claim, ou *models.User) {
				u.Phone, ou.Phone = "010-"+c.ID[len(c.ID)-8:], "010-"+c.ID[len(c.ID)-8:]
			}},
			{review.FlagSharedBusinessNumber, func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User, o *models.Claim, ou *models.User) {
				w.after = append(w.after, func() { w.profile(t, u.ID, "bn-"+c.ID); w.profile(t, ou.ID, "bn-"+c.ID) })
			}},
			{review.FlagSharedEvidence, func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User, o *models.Claim, ou *models.User) {
				w.after = append(w.after, func() { w.evidence(t, c.ID, "billing", "hash-"+c.ID); w.evidence(t, o.ID, "billing", "hash-"+c.ID) })
			}},
		}
		facts := func(id string) []string {
			t.Helper()
			rules := review.SignalRules{BurstWindow: window, BurstCount: 1000}
			f, err := db.Review().SignalFacts(ctx, &models.Claim{ID: id}, rules)
			if err != nil {
				t.Fatal(err)
			}
			return rules.Signals(f)
		}
		stale := map[string]bool{} // by the last call of related
		related := func(id, flag string) []string {
			t.Helper()
			clear(stale)
			c, err := db.Review().Claim(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			found, err := db.Review().Related(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, r := range found {
				if r.Flag != flag {
					t.Errorf("claim %s is listed for %q, want %q", r.ID, r.Flag, flag)
				}
				ids = append(ids, r.ID)
				stale[r.ID] = r.Stale()
			}
			slices.Sort(ids)
			return ids
		}
		lonely := w.add(t, adjCase{name: "nothing shared", category: "free_user", account: true})
		if got := related(lonely, ""); len(got) != 0 {
			t.Errorf("nothing shared: related %v, want none", got)
		}
		for _, sh := range shares {
			for _, closed := range []bool{false, true} {
				name := sh.flag
				if closed {
					name += " with a closed claim"
				}
				var other string
				id := w.add(t, adjCase{name: name, category: "free_user", setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
					w.other(t, func(o *models.Claim, ou *models.User) {
						other = o.ID
						if closed {
							o.Status = models.StatusRejected
						}
						sh.apply(t, w, c, u, o, ou)
					})
				}})
				want := []string{other}
				if closed {
					want = []string{}
				}
				if got := related(id, sh.flag); !slices.Equal(got, want) {
					t.Errorf("%s: related %v, want %v", name, got, want)
				}
				for _, x := range []string{id, other} {
					if got := facts(x); !slices.Equal(got, []string{sh.flag}) {
						t.Errorf("%s: claim %s has signals %v, want %v", name, x, got, []string{sh.flag})
					}
				}
				if got := related(other, sh.flag); !slices.Equal(got, []string{id}) {
					t.Errorf("%s: the other claim's related %v, want the first claim %s", name, got, id)
				}
				// The stored flags come along: the first claim misses the
				// shared flag until it is stored, then holds it.
				if !stale[id] {
					t.Errorf("%s: claim %s without stored flags is not stale", name, id)
				}
				if err := db.Review().SetFlags(ctx, id, `["`+sh.flag+`"]`); err != nil {
					t.Fatal(err)
				}
				if related(other, sh.flag); stale[id] {
					t.Errorf("%s: claim %s holding %s is stale", name, id, sh.flag)
				}
			}
		}
	})
}

// TestAddressClaimantsCountedUpToTheBurstCap: the claimants of one address
// are counted exactly up to BurstCount+1 and no further (the count stops
// there: it only has to tell a burst), a claimant with two claims counts
// once, and the page query of the batch adjudication counts the same.
// Eight claimants file from one address, one of them twice.
func TestAddressClaimantsCountedUpToTheBurstCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSignalWorld(t, db)
		const address = "198.51.100.9"
		var twice *models.User
		id := w.add(t, adjCase{name: "from the address", category: "free_user", setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
			c.ClientIP = address
			for i := range 6 {
				w.other(t, func(o *models.Claim, ou *models.User) {
					o.ClientIP, o.CreatedAt = address, w.now.Add(time.Duration(i-3)*time.Minute)
					if i == 0 {
						twice = ou
					}
				})
			}
		}})
		// The first other claimant's second claim, in another category.
		second := &models.Claim{ID: uuid.Must(uuid.NewV7()).String(), Number: "T-" + uuid.NewString()[:13], OutageID: w.outage, Category: "driver",
			Description: "피해", Details: "{}", Status: "submitted", PolicyVersion: 1, Version: 1, CreatedAt: w.now.Add(time.Minute), UpdatedAt: w.now,
			Flags: "[]", ClientIP: address, ClaimantID: twice.ID}
		e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: second.ID, PolicyVersion: 1, Steps: "[]", Auto: true, ReviewRequired: true, CreatedAt: second.CreatedAt}
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: second.ID, Status: second.Status, CreatedAt: second.CreatedAt}
		if err := db.Claims().CreateClaim(ctx, claims.Filing{Claim: second, Estimate: e, Event: ev,
			Audit: entryFor("claim.file", audit.EntityClaim, second.ID, second.CreatedAt)}); err != nil {
			t.Fatal(err)
		}
		// And an eighth claimant, outside the window.
		w.other(t, func(o *models.Claim, _ *models.User) { o.ClientIP, o.CreatedAt = address, w.now.Add(-11*time.Minute) })

		const claimants = 7 // the claim's own and six others; the eighth is outside the window
		for _, k := range []struct {
			name  string
			count int
			want  int
			burst bool
		}{
			{"cap above the claimants counts them all", 10, claimants, false},
			{"cap exactly at the claimants", claimants - 1, claimants, true},
			{"BurstCount equal to the claimants is no burst", claimants, claimants, false},
			{"cap below the claimants stops at it", 2, 3, true},
			{"BurstCount 0 stops at the claim's own claimant", 0, 1, true},
		} {
			rules := review.SignalRules{BurstWindow: 10 * time.Minute, BurstCount: k.count}
			f, err := db.Review().SignalFacts(ctx, &models.Claim{ID: id}, rules)
			if err != nil {
				t.Fatal(err)
			}
			if f.AddressClaimants != k.want {
				t.Errorf("%s: %d claimants counted, want %d", k.name, f.AddressClaimants, k.want)
			}
			if got := slices.Contains(rules.Signals(f), review.FlagBurst); got != k.burst {
				t.Errorf("%s: burst %v, want %v", k.name, got, k.burst)
			}
			if !db.Review().SetBased() {
				continue
			}
			page, err := db.Review().AutoCandidates(ctx, "", "", 100, rules)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range page {
				if a.Claim.ID == id {
					found = true
					if a.Facts != f {
						t.Errorf("%s: page facts %+v, per-claim facts %+v", k.name, a.Facts, f)
					}
				}
			}
			if !found {
				t.Errorf("%s: the page query did not list the claim", k.name)
			}
		}
	})
}

// newSignalWorld is an adjWorld with the default policy published, which
// the signal tests' claims refer to.
func newSignalWorld(t *testing.T, db *store.DB) *adjWorld {
	t.Helper()
	w := newAdjWorld(t, db)
	if err := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, func() time.Time { return w.now }, uuid.NewString).EnsureDefaultPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}
