package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/review"
)

var takeForm = regexp.MustCompile(`action="/review/claims/([0-9a-f-]{36})/lease"`)

// TestReviewSearchPageFindsAndTakes: the staff search page finds a claim
// by its claimant's name and a paid claim by its status; its results offer
// "맡기" for open claims only; taking one opens it under the taker's lease,
// and another reviewer taking it is told who holds it and until when.
func TestReviewSearchPageFindsAndTakes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		shop := registerNamed(t, e, "kim.shop@example.com", "김상점", "010-5555-0000")
		open := f.file(t, shop, "s1", f.claimBody("driver", 0)).json(t)
		paid := f.file(t, f.alice, "a1", f.claimBody("driver", 0)).json(t)
		setStatus(t, e.db, paid["id"].(string), "paid")
		s := loginStaff(t, e)

		p := getPage(t, e, s.reviewer, "/review/search?q="+url.QueryEscape("상점"), "")
		if p.status != http.StatusOK || !strings.Contains(p.body, open["number"].(string)) || strings.Contains(p.body, paid["number"].(string)) {
			t.Fatalf("search by name: got %d, want only %v:\n%s", p.status, open["number"], p.body)
		}
		if m := takeForm.FindAllStringSubmatch(p.body, -1); len(m) != 1 || m[0][1] != open["id"] {
			t.Fatalf("take buttons %v, want one for the open claim", m)
		}
		p = getPage(t, e, s.reviewer, "/review/search?status=paid", "en")
		if p.status != http.StatusOK || !strings.Contains(p.body, paid["number"].(string)) || takeForm.MatchString(p.body) || !strings.Contains(p.body, "Paid") {
			t.Fatalf("search by status paid: got %d, want the paid claim and no take button:\n%s", p.status, p.body)
		}
		if p := getPage(t, e, s.reviewer, "/review/search?sort=sideways", ""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "정렬 방식을 목록에서 고르세요.") {
			t.Errorf("bad sort: got %d, want 422 naming it", p.status)
		}
		if p := getPage(t, e, s.alice, "/review/search?q=x", ""); p.status != http.StatusForbidden {
			t.Errorf("claimant on the search page: got %d, want 403", p.status)
		}

		id := open["id"].(string)
		tok := formToken(t, s.reviewer, e.srv.URL+"/review/search")
		r := postPage(t, e, s.reviewer, "/review/claims/"+id+"/lease", url.Values{"csrf_token": {tok}})
		if r.status != http.StatusSeeOther || r.location != "/review/claims/"+id+"?done=leased" {
			t.Fatalf("take: got %d → %s, want 303 to the claim", r.status, r.location)
		}
		page, _, ver := decisionForm(t, e, s.reviewer, id)
		if ver == "" || !strings.Contains(page.body, `id="decision-form"`) || strings.Contains(page.body, `id="take"`) {
			t.Fatalf("after taking: want the decision form and no take button:\n%s", page.body)
		}
		if p := getPage(t, e, s.reviewer, "/review/claims/"+id+"?done=leased", ""); !strings.Contains(p.body, "이 청구를 맡았습니다") {
			t.Errorf("after taking: no notice saying so")
		}
		tok2 := formToken(t, s.reviewer2, e.srv.URL+"/review/search")
		r = postPage(t, e, s.reviewer2, "/review/claims/"+id+"/lease", url.Values{"csrf_token": {tok2}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "심사자 직*님이") || !strings.Contains(r.body, "까지 맡고 있습니다") {
			t.Fatalf("taking a held claim: got %d, want 409 naming the holder:\n%s", r.status, r.body)
		}
	})
}

// TestReviewClaimPageOrderAndPeople: the review page shows the estimate
// and the evidence before the decision form, the claimant's masked name
// (never the full one), a "맡기" button on a claim nobody holds, and each
// decision with its decider's role and masked name.
func TestReviewClaimPageOrderAndPeople(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		shop := registerNamed(t, e, "kim.shop@example.com", "김상점", "010-5555-0000")
		id := f.file(t, shop, "s1", f.claimBody("driver", 0)).json(t)["id"].(string)
		s := loginStaff(t, e)

		p, tok, ver := decisionForm(t, e, s.reviewer, id)
		if !strings.Contains(p.body, `<td id="claimant">김*점</td>`) || strings.Contains(p.body, "김상점") {
			t.Errorf("claimant: want the masked name 김*점 and never the full one:\n%s", p.body)
		}
		estimate, evidence, form := strings.Index(p.body, `id="estimate`), strings.Index(p.body, `id="evidence"`), strings.Index(p.body, `id="decision-form"`)
		if estimate < 0 || evidence < 0 || form < 0 || !(estimate < form && evidence < form) {
			t.Errorf("order: estimate at %d, evidence at %d, decision form at %d; want the form after both", estimate, evidence, form)
		}
		if !strings.Contains(p.body, `id="take"`) || ver == "" {
			t.Errorf("a submitted claim: want the take button and the decision form")
		}
		// Deciding without taking first takes it in the same step.
		r := decideForm(t, e, s.reviewer, id, tok, ver, url.Values{"outcome": {"approve"}, "amount_krw": {"600,000"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("deciding a submitted claim: got %d:\n%s", r.status, r.body)
		}
		take := `action="/review/claims/` + id + `/lease"`
		if q := getPage(t, e, s.reviewer, "/review", ""); strings.Contains(q.body, take) {
			t.Errorf("a reviewer's queue offers to take a claim waiting for a supervisor")
		}
		if q := getPage(t, e, s.supervisor, "/review", ""); !strings.Contains(q.body, take) {
			t.Errorf("a supervisor's queue does not offer to take the claim waiting for a second approval")
		}
		p = getPage(t, e, s.supervisor, "/review/claims/"+id, "")
		if !strings.Contains(p.body, "(심사자 직*)") || !strings.Contains(p.body, `id="second-lead"`) {
			t.Errorf("history: want the reviewer's role and masked name:\n%s", p.body)
		}
	})
}

// registerNamed registers a claimant with a name and phone of their own and
// returns their access token.
func registerNamed(t *testing.T, e *testEnv, email, name, phone string) string {
	t.Helper()
	r := e.call(t, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": testPassword, "name": name, "phone": phone})
	if r.status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", email, r.status, r.body)
	}
	return e.login(t, email, testPassword).AccessToken
}

// TestReviewPagePreviewsEvidence: the review page shows an image and a PDF
// inline from the preview endpoint; each preview
// served is recorded as a staff access with its reason; claimants and
// operators cannot use it.
func TestReviewPagePreviewsEvidence(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		id := f.file(t, f.alice, "a1", f.claimBody("driver", 0)).json(t)["id"].(string)
		png := upload(t, e, f.alice, id, "screenshot", "receipt.png", pngBytes(64)).json(t)["id"].(string)
		pdf := upload(t, e, f.alice, id, "other", "statement.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")).json(t)["id"].(string)
		s := loginStaff(t, e)

		p := getPage(t, e, s.reviewer, "/review/claims/"+id, "")
		pre := "/review/claims/" + id + "/evidence/"
		if !strings.Contains(p.body, `<img src="`+pre+png+`/preview"`) || !strings.Contains(p.body, `<object data="`+pre+pdf+`/preview" type="application/pdf"`) {
			t.Fatalf("previews: want the image and the PDF inline:\n%s", p.body)
		}
		for _, ev := range []struct{ id, ctype string }{{png, "image/png"}, {pdf, "application/pdf"}} {
			r := getPage(t, e, s.reviewer, pre+ev.id+"/preview", "")
			if r.status != http.StatusOK {
				t.Fatalf("preview %s: got %d", ev.ctype, r.status)
			}
		}
		resp, err := s.reviewer.Get(e.srv.URL + pre + png + "/preview")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("preview headers: %v", resp.Header)
		}
		if r := getPage(t, e, s.alice, pre+png+"/preview", ""); r.status != http.StatusForbidden {
			t.Errorf("claimant preview: got %d, want 403", r.status)
		}
		n := countWhere(t, e.db, `SELECT count(*) FROM audit_entries WHERE action = 'claim.preview_evidence' AND entity_id = '`+id+`' AND details LIKE '%"reason":"claim_review"%'`)
		if n != 3 {
			t.Errorf("preview access records with the reason: %d, want 3 (two previews and the headers check)", n)
		}
	})
}

// TestReviewSearchPageBulkDecision: ticked search results are decided with
// one outcome and reason code, each on its own: the free ones rejected, the
// one another reviewer holds skipped and said so; without a reason code the
// search comes back with the error.
func TestReviewSearchPageBulkDecision(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 3)
		ids := f.queuedIDs(t)
		if r := f.lease(t, f.reviewer2, ids[2]); r.status != http.StatusOK {
			t.Fatalf("lease: %d", r.status)
		}
		s := loginStaff(t, e)
		p := getPage(t, e, s.reviewer, "/review/search?status=submitted", "")
		if !strings.Contains(p.body, `id="bulk-form"`) || strings.Count(p.body, `name="claim_id"`) != 2 {
			t.Fatalf("search page: want the bulk form and two claims to tick:\n%s", p.body)
		}
		tok := formToken(t, s.reviewer, e.srv.URL+"/review/search")
		form := url.Values{"csrf_token": {tok}, "back": {"status=submitted"}, "claim_id": ids, "outcome": {"reject"}}
		r := postPage(t, e, s.reviewer, "/review/bulk", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "사유 코드를 고르세요.") {
			t.Fatalf("bulk reject without a reason: got %d, want 422 naming it:\n%s", r.status, r.body)
		}
		form.Set("reason_code", "duplicate")
		r = postPage(t, e, s.reviewer, "/review/bulk", form)
		if r.status != http.StatusOK || !strings.Contains(r.body, `id="bulk-done"`) || strings.Count(r.body, ": 기각</li>") != 2 || !strings.Contains(r.body, "심사자 직*님이") {
			t.Fatalf("bulk reject: got %d, want two rejected and the held one named:\n%s", r.status, r.body)
		}
		if n := countWhere(t, e.db, `SELECT count(*) FROM claims WHERE status = 'rejected'`); n != 2 {
			t.Errorf("rejected claims: %d, want 2", n)
		}
	})
}

// TestReviewPageNamesTheSystem: an automatic approval shows in the review
// page's history as done by "시스템" ("System" in English).
func TestReviewPageNamesTheSystem(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		ctx := context.Background()
		alice, _ := e.db.UserByEmail(ctx, "alice@example.com")
		quiet := e.claims.WithClock(e.now)
		quiet.OnChange(nil) // leave it submitted for the run below
		key := uuid.NewString()
		quiet.BeginRequest(ctx, alice.ID, key, []byte(key))
		v, _, err := quiet.File(ctx, alice, key, claims.NewClaim{OutageID: f.outageID, Category: "free_user", Description: "불편"}, testAnswer)
		if err != nil {
			t.Fatal(err)
		}
		never := review.DefaultSettings
		never.SampleBP = 0 // no claim held back for people
		if p, err := review.NewService(e.db.Review(), e.claims, never, e.now, uuid.NewString).Adjudicate(ctx, "", nil); err != nil || p.Approved != 1 {
			t.Fatalf("adjudicate: %+v, %v; want the claim approved", p, err)
		}
		s := loginStaff(t, e)
		if p := getPage(t, e, s.reviewer, "/review/claims/"+v.ID, ""); !strings.Contains(p.body, "(시스템)") {
			t.Errorf("history of an automatic approval: want it done by 시스템:\n%s", p.body)
		}
		if p := getPage(t, e, s.reviewer, "/review/claims/"+v.ID, "en"); !strings.Contains(p.body, "(System)") {
			t.Errorf("English history: want System")
		}
	})
}
