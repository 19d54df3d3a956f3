package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/review"
)

// reviewFixture adds staff to a claim fixture and files n claims by one
// claimant across enough outages.
type reviewFixture struct {
	*claimFixture
	reviewer, reviewer2, supervisor, supervisor2 string
}

func newReviewFixture(t *testing.T, e *testEnv) *reviewFixture {
	t.Helper()
	f := &reviewFixture{claimFixture: newClaimFixture(t, e)}
	for _, s := range []struct {
		email, role string
		tok         *string
	}{{"rev1@example.com", "reviewer", &f.reviewer}, {"rev2@example.com", "reviewer", &f.reviewer2},
		{"sup1@example.com", "supervisor", &f.supervisor}, {"sup2@example.com", "supervisor", &f.supervisor2}} {
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: s.email, Password: testPassword, Name: "직원", Role: s.role}); err != nil {
			t.Fatal(err)
		}
		*s.tok = e.login(t, s.email, testPassword).AccessToken
	}
	return f
}

// fileMany files n driver/paid/merchant-free claims straight through the
// claims service, spreading them over outages so none is a duplicate.
func (f *reviewFixture) fileMany(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	alice, err := f.e.db.UserByEmail(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cats := []string{"driver", "paid_subscriber", "partner_business"}
	end := f.e.now().Add(-24 * time.Hour)
	for i := 0; i < n; i += len(cats) {
		start, stop := end.Add(-time.Duration(i+5)*time.Hour), end.Add(-time.Duration(i)*time.Hour)
		o, err := f.e.outages.Create(ctx, &models.User{ID: alice.ID}, outageInput(start, stop))
		if err != nil {
			t.Fatal(err)
		}
		for j, cat := range cats {
			if i+j >= n {
				break
			}
			in := claims.NewClaim{OutageID: o.ID, Category: cat, Monetary: true, Description: "피해", Details: map[string]any{"monthly_fee_krw": 10000},
				PayoutAccount: claims.Account{Bank: "004", Number: "110-123-456789", Holder: "앨리스"}}
			key := uuid.NewString()
			if _, err := f.e.claims.BeginRequest(ctx, alice.ID, key, []byte(key)); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.e.claims.File(ctx, alice, key, in, testAnswer); err != nil {
				t.Fatalf("file claim %d: %v", i+j, err)
			}
		}
	}
}

func (f *reviewFixture) next(t *testing.T, token string) (map[string]any, string) {
	t.Helper()
	r := f.e.call(t, "POST", "/api/v1/review/next", nil, bearer(token)...)
	if r.status == http.StatusNoContent {
		return nil, ""
	}
	if r.status != http.StatusOK {
		t.Fatalf("review/next: got %d %s", r.status, r.body)
	}
	return r.json(t), r.header.Get("ETag")
}

func (f *reviewFixture) decide(t *testing.T, token, id, etag string, body map[string]any) response {
	t.Helper()
	h := bearer(token)
	if etag != "" {
		h = append(h, "If-Match", etag)
	}
	return f.e.call(t, "POST", "/api/v1/claims/"+id+"/decisions", body, h...)
}

// TestConcurrentDecisions: 200 trials of 2-10 concurrent decisions on one
// claim version; exactly one succeeds each time, the rest get 412.
func TestConcurrentDecisions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		trials := 200
		f.fileMany(t, trials)
		for trial := range trials {
			claim, tag := f.next(t, f.reviewer)
			if claim == nil {
				t.Fatalf("trial %d: queue empty", trial)
			}
			k := 2 + trial%9
			statuses := make([]int, k)
			var wg sync.WaitGroup
			for i := range k {
				wg.Go(func() {
					outcome := map[string]any{"outcome": "approve"}
					if i%2 == 1 {
						outcome = map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence"}
					}
					statuses[i] = f.decide(t, f.reviewer, claim["id"].(string), tag, outcome).status
				})
			}
			wg.Wait()
			won, stale := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusCreated:
					won++
				case http.StatusPreconditionFailed:
					stale++
				}
			}
			if won != 1 || stale != k-1 {
				t.Fatalf("trial %d with %d deciders: statuses %v; want one 201 and %d 412", trial, k, statuses, k-1)
			}
		}
	})
}

func TestLeasesNeverShared(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		rounds := 200
		f.fileMany(t, 2*rounds)
		seen := map[string]string{}
		for round := range rounds {
			var got [2]string
			var wg sync.WaitGroup
			for i, tok := range []string{f.reviewer, f.reviewer2} {
				wg.Go(func() {
					if c, _ := f.next(t, tok); c != nil {
						got[i] = c["id"].(string)
					}
				})
			}
			wg.Wait()
			for i, id := range got {
				if id == "" {
					t.Fatalf("round %d: reviewer %d got nothing with claims left", round, i)
				}
				if prev, dup := seen[id]; dup {
					t.Fatalf("round %d: claim %s leased twice (first in %s)", round, id, prev)
				}
				seen[id] = fmt.Sprint("round ", round)
			}
		}
		if c, _ := f.next(t, f.reviewer); c != nil {
			t.Fatalf("queue should be empty, got %v", c["number"])
		}
	})
}

func TestExpiredLeaseReturnsClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 1)
		ctx := context.Background()
		clock := e.now()
		svc := review.NewService(e.db.Review(), e.claims, review.DefaultSettings, func() time.Time { return clock }, uuid.NewString)
		r1, _ := e.db.UserByEmail(ctx, "rev1@example.com")
		r2, _ := e.db.UserByEmail(ctx, "rev2@example.com")
		first, err := svc.Next(ctx, r1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Next(ctx, r2); err == nil {
			t.Fatal("a leased claim was handed out again before its lease expired")
		}
		clock = clock.Add(review.DefaultSettings.LeaseFor + time.Second)
		again, err := svc.Next(ctx, r2)
		if err != nil || again.ID != first.ID {
			t.Fatalf("after the lease expired: got %v, %v; want claim %s back", again, err, first.Number)
		}
	})
}

func TestFourEyes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 1)
		claim, tag := f.next(t, f.supervisor)
		id := claim["id"].(string)
		if r := f.decide(t, f.supervisor, id, "", map[string]any{"outcome": "approve"}); r.status != http.StatusPreconditionRequired {
			t.Fatalf("decision without If-Match: got %d, want 428", r.status)
		}
		r := f.decide(t, f.supervisor, id, tag, map[string]any{"outcome": "approve", "amount_krw": 600_000})
		if r.status != 201 || r.json(t)["status"] != "pending_second_approval" {
			t.Fatalf("approving ₩600,000: got %d %s, want pending_second_approval", r.status, r.body)
		}
		tag = r.header.Get("ETag")
		if r := f.decide(t, f.supervisor, id, tag, map[string]any{"outcome": "approve"}); r.status != http.StatusForbidden {
			t.Fatalf("second approval by the first reviewer: got %d, want 403", r.status)
		}
		if r := f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "approve"}); r.status != http.StatusForbidden {
			t.Fatalf("second approval by a reviewer: got %d, want 403", r.status)
		}
		r = f.decide(t, f.supervisor2, id, tag, map[string]any{"outcome": "approve"})
		if r.status != 201 || r.json(t)["status"] != "approved" {
			t.Fatalf("second approval by another supervisor: got %d %s, want approved", r.status, r.body)
		}
		d := e.call(t, "GET", "/api/v1/claims/"+id+"/decisions", nil, bearer(f.alice)...).json(t)["decisions"].([]any)
		if len(d) != 2 {
			t.Fatalf("decisions %v: want the first approval and the second", d)
		}
	})
}

func TestSupplementAndAppeal(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 1)
		claim, tag := f.next(t, f.reviewer)
		id := claim["id"].(string)
		r := f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "request_supplement", "note": "멤버십 영수증을 올려 주세요"})
		if r.status != 201 || r.json(t)["status"] != "supplement_requested" {
			t.Fatalf("request supplement: got %d %s", r.status, r.body)
		}
		if r := e.call(t, "POST", "/api/v1/claims/"+id+"/supplement", map[string]string{"body": "영수증을 올렸습니다"}, bearer(f.bob)...); r.status != 404 {
			t.Fatalf("another claimant answering: got %d, want 404", r.status)
		}
		r = e.call(t, "POST", "/api/v1/claims/"+id+"/supplement", map[string]string{"body": "영수증을 올렸습니다"}, bearer(f.alice)...)
		if r.status != 200 || r.json(t)["status"] != "submitted" {
			t.Fatalf("answer: got %d %s, want the claim back in the queue", r.status, r.body)
		}
		claim, tag = f.next(t, f.reviewer)
		if claim == nil || claim["id"] != id {
			t.Fatalf("after the answer the claim is not back in the queue: %v", claim)
		}
		r = f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence", "note": "영수증이 다른 사람 것입니다"})
		if r.status != 201 || r.json(t)["status"] != "rejected" {
			t.Fatalf("reject: got %d %s", r.status, r.body)
		}
		r = e.call(t, "POST", "/api/v1/claims/"+id+"/appeal", map[string]string{"reason": "제 영수증이 맞습니다"}, bearer(f.alice)...)
		if r.status != 200 || r.json(t)["status"] != "appealed" {
			t.Fatalf("appeal: got %d %s", r.status, r.body)
		}
		if c, _ := f.next(t, f.reviewer); c != nil {
			t.Fatalf("the reviewer who decided got the appeal %v; it must go to someone else", c["number"])
		}
		if c, _ := f.next(t, f.reviewer2); c == nil || c["id"] != id {
			t.Fatalf("another reviewer did not get the appeal: %v", c)
		}
		if r := e.call(t, "POST", "/api/v1/claims/"+id+"/appeal", map[string]string{"reason": "다시"}, bearer(f.alice)...); r.status != http.StatusConflict {
			t.Fatalf("second appeal: got %d, want 409", r.status)
		}
	})
}

func TestFlagsShowAndNeverReject(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		// Alice and Bob give the same payout account.
		f.file(t, f.alice, "a", f.claimBody("driver", 0))
		bobClaim := f.file(t, f.bob, "b", f.claimBody("driver", 0)).json(t)
		q := e.call(t, "GET", "/api/v1/review/queue?flag=shared_account", nil, bearer(f.reviewer)...)
		if q.status != 200 {
			t.Fatalf("queue: got %d %s", q.status, q.body)
		}
		items := q.json(t)["claims"].([]any)
		if len(items) != 2 {
			t.Fatalf("claims flagged shared_account: got %d, want both", len(items))
		}
		for _, it := range items {
			m := it.(map[string]any)
			if m["status"] != "submitted" {
				t.Fatalf("flagged claim %v is %v: flags must not decide anything", m["number"], m["status"])
			}
		}
		if got := e.call(t, "GET", "/api/v1/claims/"+bobClaim["id"].(string), nil, bearer(f.bob)...).json(t)["status"]; got != "submitted" {
			t.Fatalf("Bob's flagged claim is %v, want submitted", got)
		}
		if r := e.call(t, "GET", "/api/v1/review/queue", nil, bearer(f.alice)...); r.status != 403 {
			t.Fatalf("claimant reading the queue: got %d, want 403", r.status)
		}
	})
}

func outageInput(start, end time.Time) outage.NewOutage {
	return outage.NewOutage{ServiceID: "taxi", Features: []string{"hailing"}, StartedAt: &start, EndedAt: &end, Cause: "fire", Summary: "화재"}
}

func TestAdjudicateRerunDecidesNothingTwice(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		ctx := context.Background()
		alice, _ := e.db.UserByEmail(ctx, "alice@example.com")
		quiet := e.claims.WithClock(e.now)
		quiet.OnChange(nil) // leave the claims submitted for the batch run
		end := e.now().Add(-24 * time.Hour)
		const n = 40
		for i := range n {
			o, err := e.outages.Create(ctx, alice, outageInput(end.Add(-time.Duration(i+3)*time.Hour), end.Add(-time.Duration(i)*time.Hour)))
			if err != nil {
				t.Fatal(err)
			}
			key := uuid.NewString()
			quiet.BeginRequest(ctx, alice.ID, key, []byte(key))
			if _, _, err := quiet.File(ctx, alice, key, claims.NewClaim{OutageID: o.ID, Category: "free_user", Description: "불편"}, testAnswer); err != nil {
				t.Fatal(err)
			}
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if p, err := e.review.Adjudicate(cancelled, "", nil); err == nil || p.Approved != 0 {
			t.Fatalf("cancelled run: got %+v, %v; want it to stop before deciding", p, err)
		}
		first, err := e.review.Adjudicate(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.Seen != n || first.Approved+first.Sampled != n || first.Approved == 0 {
			t.Fatalf("first run: %+v; want all %d seen, approved or sampled", first, n)
		}
		second, err := e.review.Adjudicate(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if second.Approved != 0 || second.Seen != first.Sampled {
			t.Fatalf("second run: %+v; want nothing approved again and only the %d sampled claims seen", second, first.Sampled)
		}
		var decisions int64
		if err := countRows(e.db, "decisions", &decisions); err != nil || decisions != int64(first.Approved) {
			t.Fatalf("decisions stored: %d (%v), want %d", decisions, err, first.Approved)
		}
		_ = f
	})
}

func TestAuditTrailRecordsTheClaimLife(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		filed := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)
		id := filed["id"].(string)
		claim, tag := f.next(t, f.reviewer)
		if claim["id"] != id {
			t.Fatalf("leased %v, want the filed claim", claim["id"])
		}
		if r := f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "approve"}); r.status != 201 {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
		e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.supervisor)...)
		svc := e.audit
		if _, err := svc.Seal(context.Background(), 1000); err != nil {
			t.Fatal(err)
		}
		entries, _, err := svc.List(context.Background(), audit.Filter{Entity: audit.EntityClaim, EntityID: id, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, en := range entries {
			actions[en.Action]++
			if en.Action == "claim.view_claim" && (en.SubjectID == nil || en.ActorRole != "supervisor" || en.IP == "") {
				t.Errorf("staff view entry %+v: want the supervisor, the address and whose data", en)
			}
			// The use cases build these entries with the request's actor:
			// the claimant files, the reviewer leases and decides.
			if en.Action == "claim.file" && (en.ActorID == nil || en.SubjectID == nil || *en.ActorID != *en.SubjectID ||
				en.ActorRole != "claimant" || en.IP == "" || en.EntityID != id) {
				t.Errorf("filing entry %+v: want the claimant filing claim %s about themselves, with their address", en, id)
			}
			if (en.Action == "claim.lease" || en.Action == "claim.decide") && (en.ActorID == nil || en.ActorRole != "reviewer" || en.SubjectID == nil || en.IP == "") {
				t.Errorf("%s entry %+v: want the reviewer, their address and whose data", en.Action, en)
			}
		}
		for _, want := range []string{"claim.file", "claim.lease", "claim.decide", "claim.view_claim"} {
			if actions[want] == 0 {
				t.Errorf("audit entries %v lack %s", actions, want)
			}
		}
		res, err := svc.Verify(context.Background())
		if err != nil || !res.OK || res.Entries < 4 {
			t.Fatalf("verify: %+v, %v", res, err)
		}
	})
}
