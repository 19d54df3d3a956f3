package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// groupCategories are the categories one claimant can file for one outage.
var groupCategories = []models.ClaimCategory{"paid_subscriber", "driver", "merchant", "partner_business", "free_user"}

// keyedFilings are n filings of w's claimant that take keys k1..kn, each
// for its own category.
func (w *filingWorld) keyedFilings(n int) []claims.Filing {
	fs := make([]claims.Filing, n)
	for i := range fs {
		fs[i] = w.keyedFiling(fmt.Sprintf("k%d", i+1), fmt.Sprintf("h%d", i+1))
		fs[i].Claim.Category = groupCategories[i]
	}
	return fs
}

// keyState is the state of w's claimant's key and its stored answer; ""
// when the key is not there.
func (w *filingWorld) keyState(t *testing.T, key string) (state, hash, body string) {
	t.Helper()
	var got []string
	if err := sqlStrings(context.Background(), w.db, `SELECT state || '|' || request_hash || '|' || response_body FROM idempotency_keys
WHERE user_id = '`+w.claimant.ID+`' AND key = '`+key+`'`, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		return "", "", ""
	}
	parts := strings.SplitN(got[0], "|", 3)
	return parts[0], parts[1], parts[2]
}

// wholeFiling fails t unless everything of f is written as given: the
// claim, its estimate, its event, both outbox rows with their jobs, its
// audit entry, and its key answered.
func (w *filingWorld) wholeFiling(t *testing.T, f claims.Filing) {
	t.Helper()
	c, ests, events, outbox, jobs, entries := w.written(t, f)
	if c == nil || c.Number != f.Claim.Number || c.Category != f.Claim.Category || c.Details != f.Claim.Details ||
		c.PayoutNumberSealed != f.Claim.PayoutNumberSealed || c.ClientIP != f.Claim.ClientIP || !c.CreatedAt.Equal(f.Claim.CreatedAt) ||
		c.DecidedAt != nil || c.LeasedBy != nil || c.Version != 1 || c.Status != "submitted" {
		t.Fatalf("claim %s: got %+v, want %+v", f.Answer.Key, c, f.Claim)
	}
	if len(ests) != 1 || ests[0].ID != f.Estimate.ID || ests[0].Steps != f.Estimate.Steps || ests[0].InKindEN != f.Estimate.InKindEN ||
		ests[0].ExtensionDays != f.Estimate.ExtensionDays || !ests[0].Auto || ests[0].SupersededAt != nil {
		t.Fatalf("estimates of %s: got %+v, want %+v", f.Answer.Key, ests, f.Estimate)
	}
	if len(events) != 1 || events[0].ID != f.Event.ID || events[0].ActorID == nil || *events[0].ActorID != w.claimant.ID {
		t.Fatalf("events of %s: got %+v, want %+v", f.Answer.Key, events, f.Event)
	}
	if outbox != 2 || jobs != 2 {
		t.Fatalf("outbox rows and jobs of %s: got %d and %d, want 2 and 2", f.Answer.Key, outbox, jobs)
	}
	if len(entries) != 1 || entries[0].ID != f.Audit.ID || entries[0].Details != f.Audit.Details || !entries[0].At.Equal(f.Audit.At) ||
		entries[0].SubjectID == nil || *entries[0].SubjectID != w.claimant.ID || entries[0].ChainPos != nil {
		t.Fatalf("audit entries of %s: got %+v, want %+v", f.Answer.Key, entries, f.Audit)
	}
	if state, hash, body := w.keyState(t, f.Answer.Key); state != "done" || hash != f.Answer.RequestHash || body != f.Answer.Body {
		t.Fatalf("key %s: got %s for %q with %q, want done for %q with the answer", f.Answer.Key, state, hash, body, f.Answer.RequestHash)
	}
}

// noFiling fails t if anything of f's claim is written.
func (w *filingWorld) noFiling(t *testing.T, f claims.Filing) {
	t.Helper()
	c, ests, events, outbox, _, entries := w.written(t, f)
	if c != nil || len(ests) != 0 || len(events) != 0 || outbox != 0 || len(entries) != 0 {
		t.Fatalf("filing %s: claim %v, %d estimates, %d events, %d rows, %d entries; want nothing",
			f.Answer.Key, c != nil, len(ests), len(events), outbox, len(entries))
	}
}

// TestFilingGroupWritesEachFilingAsItsOwn: filings written as one group
// (PostgreSQL's group commit) each write everything they carry, exactly as
// a filing written alone, and a filing whose key is already there writes
// nothing and is told so, without stopping the others.
func TestFilingGroupWritesEachFilingAsItsOwn(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newFilingWorld(t, db)
	fs := w.keyedFilings(4)
	w.takeKey(t, "k3") // a request holds k3 in flight
	errs, fellBack := db.Claims().WriteFilingGroup(ctx, fs)
	if fellBack {
		t.Fatal("the group's statement failed; want one statement for the four filings")
	}
	for i, f := range fs {
		if i == 2 {
			if !errors.Is(errs[i], claims.ErrKeyUsed) {
				t.Fatalf("filing under a held key: got %v, want ErrKeyUsed", errs[i])
			}
			w.noFiling(t, f)
			if state, _, _ := w.keyState(t, "k3"); state != "in_flight" {
				t.Fatalf("held key after the group: got %q, want it in flight", state)
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("filing %s: %v", f.Answer.Key, errs[i])
		}
		w.wholeFiling(t, f)
	}
}

// TestFilingGroupFallsBackFilingByFiling: when a group's statement fails
// (one filing duplicates another's claim, one names an outage that does
// not exist), each filing is written again by itself: the sound ones are
// written, each faulty one gets its own error and leaves nothing, its key
// included.
func TestFilingGroupFallsBackFilingByFiling(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newFilingWorld(t, db)
	fs := w.keyedFilings(4)
	fs[1].Claim.Category = fs[0].Claim.Category // the same claim as the first, under its own key
	fs[2].Claim.OutageID = "01a2504d-0000-7000-8000-000000000000"
	errs, fellBack := db.Claims().WriteFilingGroup(ctx, fs)
	if !fellBack {
		t.Fatal("a group with a duplicate claim and an unknown outage: want it written filing by filing")
	}
	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("sound filings: got %v and %v, want both written", errs[0], errs[3])
	}
	if !errors.Is(errs[1], apperr.ErrConflict) {
		t.Fatalf("the duplicate claim: got %v, want a conflict", errs[1])
	}
	if !errors.Is(errs[2], apperr.ErrInvalid) {
		t.Fatalf("the unknown outage: got %v, want invalid", errs[2])
	}
	w.wholeFiling(t, fs[0])
	w.wholeFiling(t, fs[3])
	for _, f := range fs[1:3] {
		if _, ests, events, outbox, _, entries := w.written(t, f); len(ests) != 0 || len(events) != 0 || outbox != 0 || len(entries) != 0 {
			t.Fatalf("failed filing %s left %d estimates, %d events, %d rows, %d entries", f.Answer.Key, len(ests), len(events), outbox, len(entries))
		}
		if state, _, _ := w.keyState(t, f.Answer.Key); state != "" {
			t.Fatalf("failed filing %s left its key %s", f.Answer.Key, state)
		}
	}
}

// TestFilingsAtOnceAreAllWritten: many claimants filing at once through
// CreateClaim (so that filings queue and are written in groups) are each
// answered once and each written whole; nothing is written twice.
func TestFilingsAtOnceAreAllWritten(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	const claimants = 8
	worlds := []*filingWorld{newFilingWorld(t, db)}
	for i := 1; i < claimants; i++ {
		w := *worlds[0]
		w.claimant = newUser(fmt.Sprintf("filer%d@example.com", i))
		if err := db.CreateUser(ctx, w.claimant); err != nil {
			t.Fatal(err)
		}
		worlds = append(worlds, &w)
	}
	before := countFiled(t, db)
	var (
		wg   sync.WaitGroup
		all  []claims.Filing
		errs = make([]error, claimants*len(groupCategories))
		// A group holds one filing at least: room for every report, so
		// the writer never waits on the test.
		reports = make(chan store.FilingGroupReport, claimants*len(groupCategories))
	)
	db.OnFilingGroup(func(r store.FilingGroupReport) { reports <- r })
	for _, w := range worlds {
		all = append(all, w.keyedFilings(len(groupCategories))...)
	}
	for i, f := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Claims().CreateClaim(ctx, f)
		}()
	}
	wg.Wait()
	for i, f := range all {
		if errs[i] != nil {
			t.Fatalf("filing %d: %v", i, errs[i])
		}
		worlds[i/len(groupCategories)].wholeFiling(t, f)
	}
	if got := countFiled(t, db); got != [2]int{before[0] + len(all), before[1] + len(all)} {
		t.Fatalf("claims and filing entries: got %v, had %v before %d filings", got, before, len(all))
	}
	// The writer reports a group after answering its filings: take the
	// reports until they account for every filing (a lost report leaves
	// the test waiting until go test's timeout names this line).
	var (
		n        int
		groups   []int
		fellBack bool
	)
	for n < len(all) {
		r := <-reports
		n += len(r.Waits)
		groups = append(groups, len(r.Waits))
		fellBack = fellBack || r.FellBack
	}
	if n != len(all) || fellBack {
		t.Fatalf("groups reported %v (%d filings, fell back: %v); want the %d filings, none written one by one", groups, n, fellBack, len(all))
	}
	for _, size := range groups {
		if size < 1 || size > store.FilingGroupMax {
			t.Fatalf("groups reported %v: want each of 1 to %d filings", groups, store.FilingGroupMax)
		}
	}
}

// countFiled counts the claims and the filings' audit entries.
func countFiled(t *testing.T, db *store.DB) (n [2]int) {
	t.Helper()
	var got []string
	if err := sqlStrings(context.Background(), db, `SELECT CAST((SELECT count(*) FROM claims) AS text) || ' ' ||
  CAST((SELECT count(*) FROM audit_entries WHERE action = 'claim.file') AS text)`, &got); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(got[0], &n[0], &n[1]); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFilingGroupTakesEachKeyOnce: the writer takes at most FilingGroupMax
// filings in arrival order, sorted by key; a second filing under a key
// already in the group waits for the next group (one statement must not
// write two filings under one key), and a filing whose request has ended
// is answered with its context's error and not written.
func TestFilingGroupTakesEachKeyOnce(t *testing.T) {
	filing := func(key string) claims.Filing {
		return claims.Filing{Answer: &claims.KeyAnswer{UserID: "u1", Key: key, RequestHash: "h"}}
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	keys := []string{"k3", "k1", "k3", "k2", "gone"}
	for i := 0; len(keys) < store.FilingGroupMax+8; i++ {
		keys = append(keys, fmt.Sprintf("m%02d", i))
	}
	var (
		fs   []claims.Filing
		ctxs []context.Context
	)
	for _, k := range keys {
		fs, ctxs = append(fs, filing(k)), append(ctxs, context.Background())
		if k == "gone" {
			ctxs[len(ctxs)-1] = gone
		}
	}
	group, left, answered := store.TakeFilingGroup(ctxs, fs)
	if len(group) != store.FilingGroupMax || group[0] != "k1" || group[1] != "k2" || group[2] != "k3" || group[3] != "m00" {
		t.Fatalf("group: got %v, want %d filings from k1, k2, k3, m00 on", group, store.FilingGroupMax)
	}
	if len(left) == 0 || left[0] != "k3" || len(left) != len(keys)-1-store.FilingGroupMax {
		t.Fatalf("left queued: got %v, want the second k3 first and the rest after the group", left)
	}
	if len(answered) != 1 || !errors.Is(answered["gone"], context.Canceled) {
		t.Fatalf("answered without writing: got %v, want only the ended request, canceled", answered)
	}
}

// TestFilingGroupPanicAnswersEveryFiling: a filing that makes the writer
// panic (here one without its estimate, which package claims never builds)
// does not end the process: every filing of its group is answered with an
// error, nothing is written, and the next filing is written.
func TestFilingGroupPanicAnswersEveryFiling(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newFilingWorld(t, db)
	fs := w.keyedFilings(3)
	fs[1].Estimate = nil
	errs, _ := db.Claims().WriteFilingGroup(ctx, fs[:2])
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "write filing group") {
			t.Fatalf("filing %d of a group that panicked: got %v, want the panic as an error", i, err)
		}
	}
	w.noFiling(t, fs[0])
	if err := db.Claims().CreateClaim(ctx, fs[2]); err != nil {
		t.Fatal(err)
	}
	w.wholeFiling(t, fs[2])
}

// TestFilingGroupReportPanicKeepsTheWriter: a report function that panics
// (OnFilingGroup) neither ends the process nor stops the writer: the
// filings after it are written.
func TestFilingGroupReportPanicKeepsTheWriter(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newFilingWorld(t, db)
	var reports atomic.Int32
	db.OnFilingGroup(func(store.FilingGroupReport) {
		reports.Add(1)
		panic("report failed")
	})
	for _, f := range w.keyedFilings(3) {
		if err := db.Claims().CreateClaim(ctx, f); err != nil {
			t.Fatal(err)
		}
		w.wholeFiling(t, f)
	}
	if reports.Load() == 0 {
		t.Fatal("no group was reported")
	}
}
