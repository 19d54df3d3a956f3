package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/review"
)

// queuedIDs returns the ids of the open claims in the review queue, oldest
// first.
func (f *reviewFixture) queuedIDs(t *testing.T) []string {
	t.Helper()
	r := f.e.call(t, "GET", "/api/v1/review/queue", nil, bearer(f.reviewer)...)
	if r.status != http.StatusOK {
		t.Fatalf("queue: %d %s", r.status, r.body)
	}
	var ids []string
	for _, it := range r.json(t)["claims"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

func (f *reviewFixture) lease(t *testing.T, token, id string, headers ...string) response {
	t.Helper()
	return f.e.call(t, "POST", "/api/v1/review/claims/"+id+"/lease", nil, append(bearer(token), headers...)...)
}

// TestLeaseChosenClaim: a reviewer takes a claim from a search or the
// queue (200 with its ETag, under review); another reviewer is told who
// holds it and until when (409); the holder may renew it; a decided claim
// has nothing to take; operators and claimants may not.
func TestLeaseChosenClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 2)
		ids := f.queuedIDs(t)
		if len(ids) != 2 {
			t.Fatalf("queue: %v, want 2 claims", ids)
		}
		chosen := ids[1] // not the one take-next would give
		r := f.lease(t, f.reviewer, chosen)
		if r.status != http.StatusOK || r.json(t)["status"] != "under_review" || r.header.Get("ETag") == "" {
			t.Fatalf("lease: got %d %s (ETag %q), want 200 under_review with an ETag", r.status, r.body, r.header.Get("ETag"))
		}
		held := f.lease(t, f.reviewer2, chosen)
		msg, _ := held.json(t)["error"].(map[string]any)["message"].(string)
		if held.status != http.StatusConflict || held.errorCode(t) != "lease_held" || !strings.Contains(msg, "심사자 직*") || !strings.Contains(msg, "까지") {
			t.Fatalf("lease held by another: got %d %s, want 409 lease_held naming 심사자 직* and until when", held.status, held.body)
		}
		en := f.lease(t, f.reviewer2, chosen, "Accept-Language", "en")
		if msg, _ := en.json(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "Held by reviewer 직*") {
			t.Errorf("English 409: %s, want it to name the holder", en.body)
		}
		again := f.lease(t, f.reviewer, chosen)
		if again.status != http.StatusOK {
			t.Fatalf("renewing one's own lease: got %d %s", again.status, again.body)
		}
		if c, _ := f.next(t, f.reviewer2); c == nil || c["id"] != ids[0] {
			t.Fatalf("take-next after a chosen lease: got %v, want the other claim", c)
		}
		if d := f.decide(t, f.reviewer, chosen, again.header.Get("ETag"), map[string]any{"outcome": "approve"}); d.status != http.StatusCreated {
			t.Fatalf("deciding the leased claim: %d %s", d.status, d.body)
		}
		if r := f.lease(t, f.reviewer2, chosen); r.status != http.StatusConflict || r.errorCode(t) != "not_reviewable" {
			t.Errorf("leasing a decided claim: got %d %s, want 409 not_reviewable", r.status, r.body)
		}
		if r := f.lease(t, f.operator, ids[0]); r.status != http.StatusForbidden {
			t.Errorf("operator leasing: got %d, want 403", r.status)
		}
		if r := f.lease(t, f.alice, ids[0]); r.status != http.StatusForbidden {
			t.Errorf("claimant leasing: got %d, want 403", r.status)
		}
		if r := f.lease(t, f.reviewer, "0190a1b2-0000-7000-8000-000000000000"); r.status != http.StatusNotFound {
			t.Errorf("unknown claim: got %d, want 404", r.status)
		}
	})
}

// TestDecideSubmittedClaim: deciding a claim nobody took leases it to the
// decider in the same step; deciding one another reviewer holds says who
// holds it; deciding a rejected claim says it is decided already.
func TestDecideSubmittedClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 2)
		ids := f.queuedIDs(t)
		get := e.call(t, "GET", "/api/v1/claims/"+ids[0], nil, bearer(f.reviewer)...)
		if get.json(t)["status"] != "submitted" {
			t.Fatalf("claim is %v, want submitted", get.json(t)["status"])
		}
		r := f.decide(t, f.reviewer, ids[0], get.header.Get("ETag"), map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence"})
		if r.status != http.StatusCreated || r.json(t)["status"] != "rejected" {
			t.Fatalf("deciding a submitted claim: got %d %s, want 201 rejected", r.status, r.body)
		}
		if n := countWhere(t, e.db, `SELECT count(*) FROM decisions WHERE claim_id = '`+ids[0]+`' AND from_status = 'under_review'`); n != 1 {
			t.Errorf("decisions taken from under review: %d, want 1 (leased and decided in one step)", n)
		}
		again := f.decide(t, f.reviewer2, ids[0], r.header.Get("ETag"), map[string]any{"outcome": "approve"})
		if again.status != http.StatusConflict || again.errorCode(t) != "not_reviewable" || !strings.Contains(string(again.body), "이미 결정된") {
			t.Errorf("deciding a rejected claim: got %d %s, want 409 saying it is decided", again.status, again.body)
		}
		held := f.lease(t, f.reviewer2, ids[1])
		d := f.decide(t, f.reviewer, ids[1], held.header.Get("ETag"), map[string]any{"outcome": "approve"})
		if d.status != http.StatusConflict || d.errorCode(t) != "lease_held" || !strings.Contains(string(d.body), "심사자 직*") {
			t.Errorf("deciding a claim another holds: got %d %s, want 409 lease_held naming the holder", d.status, d.body)
		}
	})
}

// TestSupervisorNextServesSecondApprovalsFirst: with three large approvals
// waiting and an older-than-nothing submitted claim, a supervisor's
// take-next gives the three waiting claims first (each once), then the
// submitted one; a reviewer's take-next never gives a waiting claim; the
// supervisor who made a first decision is not served it.
func TestSupervisorNextServesSecondApprovalsFirst(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 5)
		own, tag := f.next(t, f.supervisor2)
		if r := f.decide(t, f.supervisor2, own["id"].(string), tag, map[string]any{"outcome": "approve", "amount_krw": 700_000}); r.json(t)["status"] != "pending_second_approval" {
			t.Fatalf("supervisor2's large approval: %d %s", r.status, r.body)
		}
		waiting := map[string]bool{}
		for range 3 {
			c, tag := f.next(t, f.reviewer)
			r := f.decide(t, f.reviewer, c["id"].(string), tag, map[string]any{"outcome": "approve", "amount_krw": 600_000})
			if r.json(t)["status"] != "pending_second_approval" {
				t.Fatalf("large approval: %d %s", r.status, r.body)
			}
			waiting[c["id"].(string)] = true
		}
		for i := range 3 {
			c, tag := f.next(t, f.supervisor2)
			if c == nil || !waiting[c["id"].(string)] || c["status"] != "pending_second_approval" {
				t.Fatalf("supervisor2's take-next %d: got %v, want a claim waiting for second approval (not their own)", i, c)
			}
			delete(waiting, c["id"].(string))
			if i == 0 {
				if r := f.decide(t, f.supervisor2, c["id"].(string), tag, map[string]any{"outcome": "approve"}); r.status != http.StatusCreated || r.json(t)["status"] != "approved" {
					t.Fatalf("second approval: %d %s", r.status, r.body)
				}
			}
		}
		if c, _ := f.next(t, f.supervisor2); c == nil || c["status"] != "under_review" {
			t.Fatalf("supervisor2's take-next with no other approval waiting: got %v, want the submitted claim", c)
		}
		if c, _ := f.next(t, f.reviewer); c != nil {
			t.Fatalf("a reviewer's take-next gave %v (%v); waiting claims are for supervisors", c["number"], c["status"])
		}
		if c, _ := f.next(t, f.supervisor); c == nil || c["id"] != own["id"] {
			t.Fatalf("supervisor1's take-next: got %v, want supervisor2's own large approval", c)
		}
	})
}

// TestBulkDecisionFourEyes: one decision for a chosen set: approvals above
// the authority limit wait for a second approval (never approved
// straight), a claim another reviewer holds is left and reported, a reject
// needs its one reason code; a supervisor's bulk approval of the waiting
// claims is the second approval, except for their own.
func TestBulkDecisionFourEyes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 3)
		ids := f.queuedIDs(t)
		held := f.lease(t, f.reviewer2, ids[2])
		if held.status != http.StatusOK {
			t.Fatalf("lease: %d %s", held.status, held.body)
		}
		bulk := func(token string, body map[string]any) response {
			return e.call(t, "POST", "/api/v1/review/bulk-decisions", body, bearer(token)...)
		}
		if r := bulk(f.reviewer, map[string]any{"claim_ids": ids, "outcome": "reject"}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bulk reject without a reason: got %d %s, want 422", r.status, r.body)
		}
		if r := bulk(f.operator, map[string]any{"claim_ids": ids, "outcome": "approve"}); r.status != http.StatusForbidden {
			t.Errorf("operator bulk: got %d, want 403", r.status)
		}
		// Above the limit: every estimate is small, so lower the limit by
		// deciding with a service whose authority limit is ₩0.
		low := review.DefaultSettings
		low.SecondApprovalAboveKRW = 0
		svc := review.NewService(e.db.Review(), e.claims, low, e.now, uuid.NewString)
		rev, _ := e.db.UserByEmail(context.Background(), "rev1@example.com")
		res, err := svc.DecideBulk(context.Background(), rev, review.BulkInput{ClaimIDs: ids, Outcome: "approve"})
		if err != nil || len(res) != 3 {
			t.Fatalf("bulk approve: %v, %v", res, err)
		}
		for i, r := range res[:2] {
			if r.Status != "pending_second_approval" {
				t.Errorf("claim %d above the limit: %+v, want pending_second_approval", i, r)
			}
		}
		if res[2].Status != "" || res[2].Error == nil || !strings.Contains(res[2].Error.In("ko"), "심사자 직*님이") {
			t.Errorf("the held claim: %+v, want it left and the holder named", res[2])
		}
		// The API: the same reviewer's second look is refused, a
		// supervisor's bulk approval gives the second approval.
		r := bulk(f.reviewer, map[string]any{"claim_ids": ids[:2], "outcome": "approve"})
		for _, it := range r.json(t)["results"].([]any) {
			if m := it.(map[string]any); m["status"] != nil || m["error"] == nil {
				t.Errorf("first reviewer approving again: %v, want refused", m)
			}
		}
		r = bulk(f.supervisor, map[string]any{"claim_ids": ids[:2], "outcome": "approve", "note": "일괄 2차 승인"})
		if r.status != http.StatusOK {
			t.Fatalf("supervisor bulk: %d %s", r.status, r.body)
		}
		for _, it := range r.json(t)["results"].([]any) {
			if m := it.(map[string]any); m["status"] != "approved" {
				t.Errorf("second approval in bulk: %v, want approved", m)
			}
		}
	})
}
