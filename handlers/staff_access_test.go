package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

// The holder of the claim staff read in these tests, and how every staff
// screen must show it.
const (
	staffReadHolder = "김철용"
	staffReadMasked = "김*용"
)

// staffReadFixture is a claim of Alice's with evidence, approved and in an
// open payout batch, a second claim of hers waiting in the review queue,
// and an operator, a reviewer and a supervisor.
type staffReadFixture struct {
	*reviewFixture
	aliceID, claimID, queuedID, evidenceID, batchID string
	reviewerID, supervisorID                        string
}

func newStaffReadFixture(t *testing.T, e *testEnv) *staffReadFixture {
	t.Helper()
	ctx := context.Background()
	f := &staffReadFixture{reviewFixture: newReviewFixture(t, e)}
	body := f.claimBody("driver", 0)
	body["payout_account"] = map[string]string{"bank": "004", "number": testAccount, "holder": staffReadHolder}
	r := f.file(t, f.alice, "staff-read-1", body)
	if r.status != http.StatusCreated {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	f.claimID = r.json(t)["id"].(string)
	ev := upload(t, e, f.alice, f.claimID, "screenshot", "shot.png", pngBytes(64))
	if ev.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", ev.status, ev.body)
	}
	f.evidenceID = ev.json(t)["id"].(string)
	c, tag := f.next(t, f.reviewer)
	if c == nil || c["id"] != f.claimID {
		t.Fatalf("lease: got %v, want the filed claim", c)
	}
	if d := f.decide(t, f.reviewer, f.claimID, tag, map[string]any{"outcome": "approve", "amount_krw": 10000}); d.status != http.StatusCreated {
		t.Fatalf("approve: %d %s", d.status, d.body)
	}
	b := f.build(t, f.supervisor, map[string]any{"outage_id": f.outageID})
	if b.status != http.StatusCreated {
		t.Fatalf("build batch: %d %s", b.status, b.body)
	}
	f.batchID = b.json(t)["id"].(string)
	body = f.claimBody("paid_subscriber", 0)
	body["payout_account"] = map[string]string{"bank": "004", "number": testAccount, "holder": staffReadHolder}
	if r := f.file(t, f.alice, "staff-read-2", body); r.status != http.StatusCreated {
		t.Fatalf("file the queued claim: %d %s", r.status, r.body)
	} else {
		f.queuedID = r.json(t)["id"].(string)
	}
	for email, id := range map[string]*string{"alice@example.com": &f.aliceID, "rev1@example.com": &f.reviewerID, "sup1@example.com": &f.supervisorID} {
		u, err := e.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		*id = u.ID
	}
	return f
}

// staffPaths are the reads of a claimant's personal data by staff: the
// claim (API, claimant page, review page), the claim list, the decisions,
// the evidence (API and page), the review queue (API and page), the payout
// batch (API and page) and its transfer file (API and page).
func (f *staffReadFixture) staffPaths() []struct{ name, path string } {
	claim, batch := "/api/v1/claims/"+f.claimID, "/api/v1/payouts/batches/"+f.batchID
	reason := url.QueryEscape("3월 지급")
	return []struct{ name, path string }{
		{"claim API", claim},
		{"claim page", "/claims/" + f.claimID},
		{"review claim page", "/review/claims/" + f.claimID},
		{"claim list API", "/api/v1/claims"},
		{"decisions API", claim + "/decisions"},
		{"evidence API", claim + "/evidence/" + f.evidenceID},
		{"evidence page", "/claims/" + f.claimID + "/evidence/" + f.evidenceID},
		{"review queue API", "/api/v1/review/queue"},
		{"review queue page", "/review"},
		{"payout batch API", batch},
		{"payout batch page", "/payouts/" + f.batchID},
		{"transfer file API", batch + "/export.csv?reason=" + reason},
		{"transfer file page", "/payouts/" + f.batchID + "/export?format=csv&reason=" + reason},
	}
}

// TestOperatorsReadNoClaim pins least privilege: operators record outages
// and notices; every read of claims, evidence, the review queue and
// payouts refuses them (403), API and pages alike, while the staff who do
// that work are let through. The domain refuses them too.
func TestOperatorsReadNoClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newStaffReadFixture(t, e)
		for _, p := range f.staffPaths() {
			t.Run(p.name, func(t *testing.T) {
				if r := e.call(t, "GET", p.path, nil, bearer(f.operator)...); r.status != http.StatusForbidden {
					t.Errorf("operator: got %d, want 403", r.status)
				}
				staff := f.supervisor // every path is the supervisor's work
				if r := e.call(t, "GET", p.path, nil, bearer(staff)...); r.status != http.StatusOK {
					t.Errorf("supervisor: got %d %.200s, want 200", r.status, r.body)
				}
			})
		}
		for _, p := range []struct{ method, path string }{{"POST", "/api/v1/review/next"}, {"POST", "/review/next"}} {
			if r := e.call(t, p.method, p.path, nil, bearer(f.operator)...); r.status != http.StatusForbidden {
				t.Errorf("operator %s %s: got %d, want 403", p.method, p.path, r.status)
			}
		}
		ctx := context.Background()
		op := &models.User{ID: "0190d5c1-0000-7000-8000-0000000000ee", Role: models.RoleOperator}
		if _, err := e.claims.Get(ctx, op, f.claimID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("claims.Get as an operator: got %v, want ErrNotFound", err)
		}
		if _, err := e.claims.List(ctx, op, claims.Filter{Limit: 10}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("claims.List as an operator: got %v, want ErrForbidden", err)
		}
		if _, _, err := e.claims.OpenEvidence(ctx, op, f.claimID, f.evidenceID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("claims.OpenEvidence as an operator: got %v, want ErrNotFound", err)
		}
		if _, err := e.review.Next(ctx, op); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("review.Next as an operator: got %v, want ErrForbidden", err)
		}
		// Operators keep their own work: recording an outage.
		r := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2024-01-01T10:00:00+09:00",
			"cause": "overload", "summary": "요약"})
		if r.status != http.StatusCreated {
			t.Errorf("operator recording an outage: got %d, want 201", r.status)
		}
	})
}

// TestStaffReadsAreRecorded: every staff read of a claimant's personal data
// writes an access record before the data is shown, saying who (the staff
// member and role), when, from where (the client address), whose data (the
// subject) and what (the action and the record). The records are found by
// the claimant, as a privacy officer asks: "who saw Alice's data?".
func TestStaffReadsAreRecorded(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newStaffReadFixture(t, e)
		want := map[string]struct {
			action, entity, entityID string
			subject                  bool // the entry names Alice; else the batch does
		}{
			"claim API":          {"claim.view_claim", audit.EntityClaim, f.claimID, true},
			"claim page":         {"claim.view_claim", audit.EntityClaim, f.claimID, true},
			"review claim page":  {"claim.view_claim", audit.EntityClaim, f.claimID, true},
			"claim list API":     {"claim.list_claims", audit.EntityClaim, f.claimID, true},
			"decisions API":      {"claim.view_decisions", audit.EntityClaim, f.claimID, true},
			"evidence API":       {"claim.download_evidence", audit.EntityClaim, f.claimID, true},
			"evidence page":      {"claim.download_evidence", audit.EntityClaim, f.claimID, true},
			"review queue API":   {"claim.review_queue", audit.EntityClaim, f.queuedID, true},
			"review queue page":  {"claim.review_queue", audit.EntityClaim, f.queuedID, true},
			"payout batch API":   {"payout_batch.view", audit.EntityPayoutBatch, f.batchID, true},
			"payout batch page":  {"payout_batch.view", audit.EntityPayoutBatch, f.batchID, true},
			"transfer file API":  {"payout_batch.export", audit.EntityPayoutBatch, f.batchID, false},
			"transfer file page": {"payout_batch.export", audit.EntityPayoutBatch, f.batchID, false},
		}
		ctx := context.Background()
		for _, p := range f.staffPaths() {
			t.Run(p.name, func(t *testing.T) {
				w, ok := want[p.name]
				if !ok {
					t.Fatalf("no expectation for %s", p.name)
				}
				before := lastSeq(t, e)
				if r := e.call(t, "GET", p.path, nil, bearer(f.supervisor)...); r.status != http.StatusOK {
					t.Fatalf("GET %s: got %d %.200s", p.path, r.status, r.body)
				}
				list, _, err := e.audit.List(ctx, audit.Filter{SubjectID: f.aliceID, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				var got *models.AuditEntry
				for i := range list {
					if en := &list[i]; en.Seq > before && en.Action == w.action && en.EntityID == w.entityID {
						got = en
						break
					}
				}
				switch {
				case got == nil:
					t.Fatalf("no %s entry about %s found by Alice's id after the read", w.action, w.entityID)
				case got.ActorID == nil || *got.ActorID != f.supervisorID || got.ActorRole != "supervisor":
					t.Errorf("who: got %v %s, want the supervisor", got.ActorID, got.ActorRole)
				case got.IP != "127.0.0.1":
					t.Errorf("from where: got %q, want the client address", got.IP)
				case got.Entity != w.entity:
					t.Errorf("what: got entity %s, want %s", got.Entity, w.entity)
				case got.At.IsZero():
					t.Errorf("when: got no time")
				case w.subject && (got.SubjectID == nil || *got.SubjectID != f.aliceID):
					t.Errorf("whose data: got subject %v, want Alice %s", got.SubjectID, f.aliceID)
				case !w.subject && got.SubjectID != nil:
					t.Errorf("whose data: got subject %v, want the batch's claimants (no single subject)", *got.SubjectID)
				}
			})
		}
		t.Run("a claimant reading her own claim is no staff access", func(t *testing.T) {
			before := lastSeq(t, e)
			if r := e.call(t, "GET", "/api/v1/claims/"+f.claimID, nil, bearer(f.alice)...); r.status != http.StatusOK {
				t.Fatalf("owner: got %d", r.status)
			}
			if after := lastSeq(t, e); after != before {
				t.Errorf("the owner's read wrote %d audit entries, want none", after-before)
			}
		})
		t.Run("a read that cannot be recorded shows nothing", func(t *testing.T) {
			sqlDB, _ := e.db.SQL()
			if _, err := sqlDB.ExecContext(ctx, "ALTER TABLE audit_entries RENAME TO audit_entries_away"); err != nil {
				t.Fatal(err)
			}
			defer sqlDB.ExecContext(ctx, "ALTER TABLE audit_entries_away RENAME TO audit_entries")
			for _, p := range f.staffPaths()[:4] {
				r := e.call(t, "GET", p.path, nil, bearer(f.supervisor)...)
				if r.status != http.StatusInternalServerError || strings.Contains(string(r.body), staffReadMasked) || strings.Contains(string(r.body), pii.MaskAccount(testAccount)) {
					t.Errorf("%s without the audit trail: got %d %.200s, want 500 and none of the claim", p.name, r.status, r.body)
				}
			}
		})
	})
}

// lastSeq is the newest audit entry's seq, 0 when there is none.
func lastSeq(t *testing.T, e *testEnv) int64 {
	t.Helper()
	list, _, err := e.audit.List(context.Background(), audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		return 0
	}
	return list[0].Seq
}

// TestStaffSeeHolderNamesMasked pins one masking standard: every staff
// screen and API that shows the account holder shows pii.MaskName's form
// (as the payout screens always did); only the reason-gated transfer file
// carries the full name. The claimant's own claim shows it masked too.
func TestStaffSeeHolderNamesMasked(t *testing.T) {
	if got := pii.MaskName(staffReadHolder); got != staffReadMasked {
		t.Fatalf("pii.MaskName(%s) = %s, want %s", staffReadHolder, got, staffReadMasked)
	}
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newStaffReadFixture(t, e)
		for _, p := range f.staffPaths() {
			if strings.Contains(p.name, "evidence") {
				continue // the file itself, no holder
			}
			t.Run(p.name, func(t *testing.T) {
				r := e.call(t, "GET", p.path, nil, bearer(f.supervisor)...)
				body := string(r.body)
				if r.status != http.StatusOK {
					t.Fatalf("got %d %.200s", r.status, body)
				}
				switch {
				case strings.Contains(p.name, "transfer file"):
					if !strings.Contains(body, staffReadHolder) {
						t.Errorf("the transfer file lacks the full holder %s:\n%s", staffReadHolder, body)
					}
				case strings.Contains(body, staffReadHolder):
					t.Errorf("shows the full holder %s", staffReadHolder)
				case strings.Contains(p.name, "queue") || strings.Contains(p.name, "decisions"):
					// No holder on these at all.
				case !strings.Contains(body, staffReadMasked):
					t.Errorf("lacks the masked holder %s: %.400s", staffReadMasked, body)
				}
			})
		}
		t.Run("the claimant's own claim", func(t *testing.T) {
			for _, path := range []string{"/api/v1/claims/" + f.claimID, "/claims/" + f.claimID} {
				body := string(e.call(t, "GET", path, nil, bearer(f.alice)...).body)
				if strings.Contains(body, staffReadHolder) || !strings.Contains(body, staffReadMasked) {
					t.Errorf("%s: want the holder masked as %s", path, staffReadMasked)
				}
			}
		})
	})
}
