package handlers_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	versionInput   = regexp.MustCompile(`name="version" value="(\d+)"`)
	reviewClaimURL = regexp.MustCompile(`^/review/claims/([0-9a-f-]{36})$`)
	batchURL       = regexp.MustCompile(`^/payouts/([0-9a-f-]{36})\?done=built$`)
)

// staffPages logs the fixture's staff in through the login form.
type staffPages struct {
	reviewer, reviewer2, supervisor, supervisor2, alice *http.Client
}

func loginStaff(t *testing.T, e *testEnv) staffPages {
	t.Helper()
	return staffPages{reviewer: loginBrowser(t, e, "rev1@example.com"), reviewer2: loginBrowser(t, e, "rev2@example.com"),
		supervisor: loginBrowser(t, e, "sup1@example.com"), supervisor2: loginBrowser(t, e, "sup2@example.com"),
		alice: loginBrowser(t, e, "alice@example.com")}
}

// takeNext presses "take the next claim" and returns the claim page's
// claim id ("" when the queue was empty).
func takeNext(t *testing.T, e *testEnv, c *http.Client) string {
	t.Helper()
	tok := formToken(t, c, e.srv.URL+"/review")
	p := postPage(t, e, c, "/review/next", url.Values{"csrf_token": {tok}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST /review/next: got %d %s", p.status, p.body)
	}
	if p.location == "/review?empty=1" {
		return ""
	}
	m := reviewClaimURL.FindStringSubmatch(p.location)
	if m == nil {
		t.Fatalf("POST /review/next went to %s, want /review/claims/:id", p.location)
	}
	return m[1]
}

// decisionForm loads the review page of a claim and returns it with its
// CSRF token and version.
func decisionForm(t *testing.T, e *testEnv, c *http.Client, id string) (page, string, string) {
	t.Helper()
	p := getPage(t, e, c, "/review/claims/"+id, "")
	if p.status != http.StatusOK {
		t.Fatalf("GET /review/claims/%s: %d", id, p.status)
	}
	tok, ver := csrfInput.FindStringSubmatch(p.body), versionInput.FindStringSubmatch(p.body)
	if tok == nil {
		t.Fatalf("the review page has no csrf_token")
	}
	if ver == nil {
		return p, tok[1], ""
	}
	return p, tok[1], ver[1]
}

func decideForm(t *testing.T, e *testEnv, c *http.Client, id, tok, version string, fields url.Values) page {
	t.Helper()
	fields.Set("csrf_token", tok)
	fields.Set("version", version)
	return postPage(t, e, c, "/review/claims/"+id+"/decisions", fields)
}

func TestReviewQueuePageFiltersAndTakesNext(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 3)
		fileEvil(t, f) // bob shares alice's phone number: every claim is flagged
		s := loginStaff(t, e)
		for _, path := range []string{"/review", "/review/claims/" + f.outageID, "/payouts"} {
			if p := getPage(t, e, s.alice, path, ""); p.status != http.StatusForbidden {
				t.Errorf("claimant GET %s: got %d, want 403", path, p.status)
			}
		}

		p := getPage(t, e, s.reviewer, "/review?flag=shared_phone", "")
		if p.status != http.StatusOK || strings.Count(p.body, `href="/review/claims/`) != 4 || !strings.Contains(p.body, `<mark class="flag">전화번호 공유</mark>`) {
			t.Fatalf("queue filtered by shared_phone: got %d, want 4 flagged claims:\n%s", p.status, p.body)
		}
		if !strings.Contains(p.body, `id="nav-review"`) || strings.Contains(p.body, `id="nav-payouts"`) {
			t.Errorf("a reviewer's nav should link the queue and not the payouts")
		}
		if p := getPage(t, e, s.reviewer, "/review?flag=shared_account", "en"); p.status != http.StatusOK || !strings.Contains(p.body, `id="queue-empty"`) {
			t.Errorf("queue filtered by shared_account: got %d, want no claim", p.status)
		}
		if p := getPage(t, e, s.reviewer, "/review?min_krw=abc&flag=nope", "en"); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, "Enter the amount in digits.") || !strings.Contains(p.body, "Unknown flag.") {
			t.Errorf("bad filters: got %d, want 422 naming them", p.status)
		}

		id := takeNext(t, e, s.reviewer)
		if id == "" {
			t.Fatal("the queue is empty")
		}
		p, tok, ver := decisionForm(t, e, s.reviewer, id)
		if ver == "" || !strings.Contains(p.body, `id="decision-form"`) || !strings.Contains(p.body, `id="outcome-request_supplement"`) ||
			!strings.Contains(p.body, "증빙 부족") || strings.Contains(p.body, "withdraw-form") || strings.Contains(p.body, testAccount) {
			t.Fatalf("the review page lacks the decision form or shows what it should not:\n%s", p.body)
		}
		// Another reviewer sees who holds it and no form.
		if p, _, v := decisionForm(t, e, s.reviewer2, id); v != "" || !strings.Contains(p.body, "심사자 직*님이") || strings.Contains(p.body, `id="take"`) {
			t.Errorf("another reviewer's view of a leased claim: version %q, want the holder's message", v)
		}

		// A stale version: the claim as it is now, with a clear message.
		n, _ := strconv.Atoi(ver)
		r := decideForm(t, e, s.reviewer, id, tok, strconv.Itoa(n-1), url.Values{"outcome": {"approve"}})
		if r.status != http.StatusPreconditionFailed || !strings.Contains(r.body, "다른 사람이 이 청구를 바꿨습니다") || !strings.Contains(r.body, `id="reload"`) {
			t.Fatalf("stale version: got %d, want 412 with the reload message:\n%s", r.status, r.body)
		}
		// Partial without a reason: the form again with the error.
		r = decideForm(t, e, s.reviewer, id, tok, ver, url.Values{"outcome": {"partial"}, "amount_krw": {"1,000"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "사유 코드를 고르세요.") {
			t.Errorf("partial without a reason: got %d, want 422", r.status)
		}
		r = decideForm(t, e, s.reviewer, id, tok, ver, url.Values{"outcome": {"reject"}, "reason_code": {"insufficient_evidence"}})
		if r.status != http.StatusSeeOther || r.location != "/review/claims/"+id+"?done=decided" {
			t.Fatalf("reject: got %d %s", r.status, r.location)
		}
		if p := getPage(t, e, s.reviewer, r.location, ""); !strings.Contains(p.body, "결정을 기록했습니다.") || !strings.Contains(p.body, "기각") {
			t.Errorf("after the decision the page lacks the notice or the history")
		}
		for takeNext(t, e, s.reviewer2) != "" {
		}
		if p := getPage(t, e, s.reviewer2, "/review?empty=1", "en"); !strings.Contains(p.body, "The queue is empty") {
			t.Errorf("the empty-queue notice is missing")
		}
	})
}

func TestReviewPageFourEyes(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 1)
		s := loginStaff(t, e)
		id := takeNext(t, e, s.supervisor)
		_, tok, ver := decisionForm(t, e, s.supervisor, id)
		r := decideForm(t, e, s.supervisor, id, tok, ver, url.Values{"outcome": {"approve"}, "amount_krw": {"600,000"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("approve ₩600,000: got %d %s", r.status, r.body)
		}
		p, _, v := decisionForm(t, e, s.supervisor, id)
		if v != "" || !strings.Contains(p.body, "처음 승인한 사람은 2차 승인을 할 수 없습니다") {
			t.Errorf("the first approver sees a form (%q) or no four-eyes message", v)
		}
		if p, _, v := decisionForm(t, e, s.reviewer, id); v != "" || !strings.Contains(p.body, "감독자가 2차 승인합니다") {
			t.Errorf("a reviewer sees a form (%q) or no supervisor message", v)
		}
		p, tok, ver = decisionForm(t, e, s.supervisor2, id)
		if ver == "" || !strings.Contains(p.body, `id="second-lead"`) || strings.Contains(p.body, `id="outcome-partial"`) {
			t.Fatalf("the second supervisor lacks the second-approval form")
		}
		// The first approver posting anyway is told why not.
		_, tok1, _ := decisionForm(t, e, s.supervisor, id)
		if r := decideForm(t, e, s.supervisor, id, tok1, ver, url.Values{"outcome": {"approve"}}); r.status != http.StatusForbidden ||
			!strings.Contains(r.body, "4-eyes") {
			t.Errorf("second approval by the first approver: got %d, want 403 with the rule", r.status)
		}
		r = decideForm(t, e, s.supervisor2, id, tok, ver, url.Values{"outcome": {"approve"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("second approval: got %d %s", r.status, r.body)
		}
		if p := getPage(t, e, s.supervisor2, r.location, "en"); !strings.Contains(p.body, `id="claim-status">Approved<`) {
			t.Errorf("after the second approval the claim is not approved")
		}
	})
}

func TestSupplementAndPayoutPages(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 1)
		s := loginStaff(t, e)
		id := takeNext(t, e, s.reviewer)
		_, tok, ver := decisionForm(t, e, s.reviewer, id)
		const ask = "멤버십 영수증을 올려 주세요"
		r := decideForm(t, e, s.reviewer, id, tok, ver, url.Values{"outcome": {"request_supplement"}, "note": {ask}, "due_at": {"2099-12-31"}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/review?") {
			t.Fatalf("request supplement: got %d %s, want back to the queue", r.status, r.location)
		}

		// The claimant sees the request and answers it with a file.
		p := getPage(t, e, s.alice, "/claims/"+id, "")
		if !strings.Contains(p.body, `id="supplement-form"`) || !strings.Contains(p.body, ask) || !strings.Contains(p.body, "2099-12-31 23:59 KST") {
			t.Fatalf("the claim page lacks the supplement request:\n%s", p.body)
		}
		ctok := csrfInput.FindStringSubmatch(p.body)[1]
		if r := postMultipart(t, e, s.alice, "/claims/"+id+"/supplement", [][2]string{{"csrf_token", ctok}, {"body", " "}, {"kind", "billing"}}, nil, ""); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "보완 내용을 적어 주세요") {
			t.Errorf("an empty supplement: got %d, want 422", r.status)
		}
		r = postMultipart(t, e, s.alice, "/claims/"+id+"/supplement", [][2]string{{"csrf_token", ctok}, {"body", "영수증을 올렸습니다"}, {"kind", "billing"}},
			&formFile{field: "file", name: "receipt.pdf", content: []byte("%PDF-1.4\n%receipt\n")}, "")
		if r.status != http.StatusSeeOther || r.location != "/claims/"+id+"?done=supplement" {
			t.Fatalf("answer the supplement: got %d %s %s", r.status, r.location, r.body)
		}
		p = getPage(t, e, s.alice, r.location, "")
		if !strings.Contains(p.body, `id="claim-status">접수됨<`) && !strings.Contains(p.body, "보완을 제출했습니다") || strings.Contains(p.body, `id="supplement-form"`) ||
			!strings.Contains(p.body, "receipt.pdf") {
			t.Errorf("after the answer the claim page still asks or lacks the file:\n%s", p.body)
		}
		if got := takeNext(t, e, s.reviewer); got != id {
			t.Fatalf("after the answer the queue gives %q, want the claim back", got)
		}
		_, tok, ver = decisionForm(t, e, s.reviewer, id)
		if r := decideForm(t, e, s.reviewer, id, tok, ver, url.Values{"outcome": {"approve"}, "amount_krw": {"12,000"}}); r.status != http.StatusSeeOther {
			t.Fatalf("approve: got %d %s", r.status, r.body)
		}
		if p := getPage(t, e, s.alice, "/claims/"+id, ""); !strings.Contains(p.body, `id="appeal-form"`) {
			t.Errorf("the decided claim offers no appeal")
		}

		// The supervisor builds a batch, exports it and marks it paid.
		p = getPage(t, e, s.supervisor, "/payouts", "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="payable-count">1<`) || !strings.Contains(p.body, "₩12,000") || !strings.Contains(p.body, `id="nav-payouts"`) {
			t.Fatalf("payouts page: got %d, want 1 payable claim of ₩12,000:\n%s", p.status, p.body)
		}
		if p := getPage(t, e, s.reviewer, "/payouts", ""); p.status != http.StatusForbidden {
			t.Errorf("reviewer GET /payouts: got %d, want 403", p.status)
		}
		stok := csrfInput.FindStringSubmatch(p.body)[1]
		r = postPage(t, e, s.supervisor, "/payouts", url.Values{"csrf_token": {stok}, "outage_id": {""}})
		m := batchURL.FindStringSubmatch(r.location)
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("build: got %d %s", r.status, r.location)
		}
		batch := m[1]
		if r := postPage(t, e, s.supervisor, "/payouts", url.Values{"csrf_token": {stok}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "지급할 승인 건이 없습니다.") {
			t.Errorf("a second build: got %d, want 422 nothing to pay", r.status)
		}
		p = getPage(t, e, s.supervisor, "/payouts/"+batch, "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="export-form"`) || strings.Contains(p.body, testAccount) {
			t.Fatalf("batch page: got %d, want the export form and no whole account number", p.status)
		}
		if p := getPage(t, e, s.supervisor, "/payouts/"+batch+"/export?format=csv&reason=", ""); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, "내려받는 사유를 입력하세요") || !strings.Contains(p.body, `id="export-form"`) {
			t.Errorf("export without a reason: got %d, want 422 with the form", p.status)
		}
		resp, err := s.supervisor.Get(e.srv.URL + "/payouts/" + batch + "/export?" + url.Values{"format": {"csv"}, "reason": {"10월 정기 이체"}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(body, "\ufeff번호,") || !strings.Contains(body, testAccount) {
			t.Fatalf("export with a reason: got %d %v %q", resp.StatusCode, resp.Header, body)
		}
		if r := postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "mode": {"all"}, "prefix": {""}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("mark all paid without a prefix: got %d, want 422", r.status)
		}
		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "mode": {"all"}, "prefix": {"KB20221025"}, "confirm": {"yes"}})
		if r.status != http.StatusSeeOther || r.location != "/payouts/"+batch+"?done=settled" {
			t.Fatalf("mark all paid: got %d %s %s", r.status, r.location, r.body)
		}
		p = getPage(t, e, s.supervisor, r.location, "")
		if !strings.Contains(p.body, `id="batch-status">정산 완료<`) || !strings.Contains(p.body, "KB20221025-") {
			t.Errorf("the settled batch lacks its status or references:\n%s", p.body)
		}
		if p := getPage(t, e, s.supervisor, "/payouts/"+batch+"/export?"+url.Values{"format": {"csv"}, "reason": {"재확인"}}.Encode(), ""); p.status != http.StatusConflict ||
			!strings.Contains(p.body, `id="flash"`) || !strings.Contains(p.body, "대기 중인 이체가 없습니다") {
			t.Errorf("export of a settled batch: got %d, want 409 on the batch page with the nothing-to-transfer notice:\n%s", p.status, p.body)
		}
		if p := getPage(t, e, s.alice, "/claims/"+id, ""); !strings.Contains(p.body, `id="claim-status">지급 완료<`) || strings.Contains(p.body, `id="appeal-form"`) {
			t.Errorf("the claimant's page does not show 지급 완료 (or still offers an appeal)")
		}
		if p := getPage(t, e, s.alice, "/claims/"+id, "en"); !strings.Contains(p.body, `id="claim-status">Paid<`) {
			t.Errorf("the claimant's page in English does not show Paid")
		}
	})
}

func TestSettlePerItemAndAppealForm(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 2)
		approveQueue(t, f)
		s := loginStaff(t, e)
		stok := formToken(t, s.supervisor, e.srv.URL+"/payouts")
		r := postPage(t, e, s.supervisor, "/payouts", url.Values{"csrf_token": {stok}, "outage_id": {""}})
		batch := batchURL.FindStringSubmatch(r.location)[1]
		p := getPage(t, e, s.supervisor, "/payouts/"+batch, "")
		ids := regexp.MustCompile(`name="status_([0-9a-f-]{36})"`).FindAllStringSubmatch(p.body, -1)
		if len(ids) != 2 {
			t.Fatalf("batch page: %d item forms, want 2", len(ids))
		}
		paid, failed := ids[0][1], ids[1][1]
		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "status_" + paid: {"paid"}, "ref_" + paid: {""}, "confirm": {"yes"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, html.EscapeString("이체 참조번호를 입력하세요")) {
			t.Errorf("paid without a reference: got %d, want 422", r.status)
		}
		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "status_" + paid: {"paid"}, "ref_" + paid: {"REF-1"},
			"status_" + failed: {"failed"}, "confirm": {"yes"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("settle per item: got %d %s", r.status, r.body)
		}
		if p := getPage(t, e, s.alice, "/claims/"+failed, ""); !strings.Contains(p.body, `id="claim-status">승인<`) || !strings.Contains(p.body, `id="appeal-form"`) {
			t.Errorf("the failed transfer's claim should stay approved and appealable")
		}
		ctok := formToken(t, s.alice, e.srv.URL+"/claims/"+failed)
		if r := postPage(t, e, s.alice, "/claims/"+failed+"/appeal", url.Values{"csrf_token": {ctok}, "reason": {""}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("an empty appeal: got %d, want 422", r.status)
		}
		r = postPage(t, e, s.alice, "/claims/"+failed+"/appeal", url.Values{"csrf_token": {ctok}, "reason": {"금액이 적습니다"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("appeal: got %d %s", r.status, r.body)
		}
		if p := getPage(t, e, s.alice, r.location, ""); !strings.Contains(p.body, `id="claim-status">이의 신청<`) && !strings.Contains(p.body, "이의 신청을 접수했습니다") || strings.Contains(p.body, `id="appeal-form"`) {
			t.Errorf("after the appeal the page still offers it")
		}
	})
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
