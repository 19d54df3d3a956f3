package handlers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	formKeyInput = regexp.MustCompile(`name="form_key" value="([^"]+)"`)
	evidenceLink = regexp.MustCompile(`href="(/claims/[^/"]+/evidence/[^"]+)"`)
)

// loginBrowser logs a browser in through the login form, and for staff
// through the code form after it.
func loginBrowser(t *testing.T, e *testEnv, email string) *http.Client {
	t.Helper()
	b := e.browser(t)
	e.loginForm(t, b, email)
	return b
}

// loginForm logs browser b in as email through the login form and, when
// it asks for one (staff), the second factor's form.
func (e *testEnv) loginForm(t *testing.T, b *http.Client, email string) {
	t.Helper()
	tok := formToken(t, b, e.srv.URL+"/login")
	p := postPage(t, e, b, "/login", url.Values{"csrf_token": {tok}, "email": {email}, "password": {testPassword}})
	if p.status == http.StatusOK {
		p = e.finishBrowserMFA(t, b, email, p)
		if p.status == http.StatusOK && strings.Contains(p.body, `id="recovery-codes"`) {
			return // enrolled: the recovery codes, shown once, with the session started
		}
	}
	if p.status != http.StatusSeeOther {
		t.Fatalf("login %s: got %d", email, p.status)
	}
}

// formFile is a file for postMultipart, always sent as the last part.
type formFile struct {
	field, name string
	content     []byte
}

// postMultipart posts fields in order, then the file, as multipart/form-data.
// header, when set, is sent as X-CSRF-Token (as htmx would).
func postMultipart(t *testing.T, e *testEnv, c *http.Client, path string, fields [][2]string, file *formFile, header string) page {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != nil {
		fw, _ := w.CreateFormFile(file.field, file.name)
		fw.Write(file.content)
	}
	w.Close()
	req, err := http.NewRequest("POST", e.srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if header != "" {
		req.Header.Set("X-CSRF-Token", header)
	}
	return doPage(t, c, req)
}

// claimForm loads the filing form and returns its CSRF token and form key.
func claimForm(t *testing.T, e *testEnv, c *http.Client, query string) (page, string, string) {
	t.Helper()
	p := getPage(t, e, c, "/claims/new"+query, "")
	if p.status != http.StatusOK {
		t.Fatalf("GET /claims/new: %d", p.status)
	}
	tok, key := csrfInput.FindStringSubmatch(p.body), formKeyInput.FindStringSubmatch(p.body)
	if tok == nil || key == nil {
		t.Fatalf("the filing form lacks csrf_token or form_key")
	}
	return p, tok[1], key[1]
}

func paidSubscriberFields(tok, key, outageID string) [][2]string {
	return [][2]string{{"csrf_token", tok}, {"form_key", key}, {"outage_id", outageID}, {"category", "paid_subscriber"},
		{"monetary", "yes"}, {"description", "택시 호출을 이틀 동안 받지 못했습니다"}, {"claimed_amount_krw", ""},
		{"details.monthly_fee_krw", "39,000"}, {"payout_account.bank", "004"}, {"payout_account.number", testAccount},
		{"payout_account.holder", "앨리스"}, {"consent", "yes"}, {"evidence_kind", "billing"}}
}

// claimURLOf is the claim a filed form landed on, without the confirmation.
func claimURLOf(p page) string { return strings.TrimSuffix(p.location, "?done=filed") }

// claimPath is where a filed form lands: the claim, with its confirmation.
var claimPath = regexp.MustCompile(`^/claims/[0-9a-f-]{36}\?done=filed$`)

func TestClaimFormFilesOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		// The eligibility checker's links land on the form, prefilled.
		if p := getPage(t, e, alice, "/claims?outage="+f.outageID+"&role=user&service=taxi", ""); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/claims/new?") {
			t.Fatalf("/claims with eligibility params: got %d to %q, want 303 to /claims/new", p.status, p.location)
		}
		form, tok, key := claimForm(t, e, alice, "?outage="+f.outageID+"&role=user&service=taxi")
		for _, want := range []string{`value="` + f.outageID + `" checked`, `id="category-paid_subscriber" name="category" value="paid_subscriber" aria-describedby="category-paid_subscriber-explain" checked`,
			`enctype="multipart/form-data"`, `accept=".csv,.xlsx,.jpg,.jpeg,.png,.pdf"`, "× 3 ÷"} {
			if !strings.Contains(form.body, want) {
				t.Errorf("the prefilled form lacks %q", want)
			}
		}
		fields := paidSubscriberFields(tok, key, f.outageID)
		first := postMultipart(t, e, alice, "/claims/new", fields, &formFile{"file", "bill.png", pngBytes(200)}, "")
		if first.status != http.StatusSeeOther || !claimPath.MatchString(first.location) {
			t.Fatalf("file: got %d to %q, want 303 to /claims/:id\n%.2000s", first.status, first.location, first.body)
		}
		again := postMultipart(t, e, alice, "/claims/new", fields, &formFile{"file", "bill.png", pngBytes(200)}, "")
		if again.status != http.StatusSeeOther || again.location != first.location {
			t.Fatalf("same form again: got %d to %q, want 303 to %q", again.status, again.location, first.location)
		}
		var n int64
		if err := countRows(e.db, "claims", &n); err != nil || n != 1 {
			t.Fatalf("claims stored: %d (%v), want 1", n, err)
		}
		if err := countRows(e.db, "evidence", &n); err != nil || n != 1 {
			t.Fatalf("evidence stored: %d (%v), want 1 (the repeat adds nothing)", n, err)
		}
		p := getPage(t, e, alice, first.location, "")
		// The status may already have moved on (automatic approval); the
		// timeline starts with the filing.
		for _, want := range []string{`id="claim-number">BS-`, `id="claim-status">`, `<strong>접수됨</strong>`, `id="estimate-steps"`,
			"계산: 월 요금 × 장애 일수 × 배수 ÷ 해당 월 일수", "₩10 단위 올림", "110-***-****89", "bill.png", `id="filing-closes">20`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("claim page lacks %q", want)
			}
		}
		if strings.Contains(p.body, "456789") {
			t.Error("the claim page shows the account number")
		}
		en := getPage(t, e, alice, first.location, "en")
		if !strings.Contains(en.body, "Fee × outage days × multiplier ÷ days in the month") || !strings.Contains(en.body, "<strong>Submitted</strong>") {
			t.Error("the English claim page lacks the English step labels or status")
		}
		list := getPage(t, e, alice, "/claims", "")
		claimURL := strings.TrimSuffix(first.location, "?done=filed")
		if !strings.Contains(list.body, `href="`+claimURL+`"`) || !strings.Contains(list.body, "유료 서비스 가입자") {
			t.Errorf("/claims does not list the claim:\n%.3000s", list.body)
		}
		// A duplicate through a fresh form is a 409 linking the first claim.
		_, tok, key2 := claimForm(t, e, alice, "")
		dup := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key2, f.outageID), nil, "")
		if dup.status != http.StatusConflict || !strings.Contains(dup.body, `href="`+claimURL+`"`) {
			t.Fatalf("duplicate: got %d, want 409 linking %s", dup.status, claimURL)
		}
	})
}

func TestClaimFormErrors(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		fields := paidSubscriberFields(tok, key, f.outageID)
		fields = fields[:len(fields)-2] // no consent, no evidence kind
		p := postMultipart(t, e, alice, "/claims/new", fields, nil, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="consent-error" class="error">개인정보 수집·이용에 동의해야`) {
			t.Fatalf("no consent: got %d, want 422 with the consent error\n%.3000s", p.status, p.body)
		}
		if !strings.Contains(p.body, `value="`+testAccount+`"`) || !strings.Contains(p.body, `value="앨리스"`) || !strings.Contains(p.body, `value="`+key+`"`) {
			t.Error("the form must keep the entered values, the account number included, and its key")
		}
		// Corrected, the same form key files the claim.
		fields = append(fields, [2]string{"consent", "yes"})
		if p := postMultipart(t, e, alice, "/claims/new", fields, nil, ""); p.status != http.StatusSeeOther {
			t.Fatalf("corrected form: got %d, want 303\n%.2000s", p.status, p.body)
		}
		// Domain errors land next to their fields; a merchant without a profile gets a link to it.
		_, tok, key = claimForm(t, e, alice, "")
		p = postMultipart(t, e, alice, "/claims/new", [][2]string{{"csrf_token", tok}, {"form_key", key}, {"outage_id", f.outageID},
			{"category", "merchant"}, {"monetary", "yes"}, {"description", "가게 결제가 안 됐습니다"}, {"claimed_amount_krw", "1,2x"},
			{"consent", "yes"}}, nil, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="claimed-amount-error"`) {
			t.Fatalf("bad amount: got %d, want 422 with the amount error", p.status)
		}
		fields = [][2]string{{"csrf_token", tok}, {"form_key", key}, {"outage_id", f.outageID}, {"category", "merchant"}, {"monetary", "no"},
			{"description", "가게 결제가 안 됐습니다"}, {"consent", "yes"}}
		p = postMultipart(t, e, alice, "/claims/new", fields, nil, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="profile-link"`) || !strings.Contains(p.body, "가맹점 프로필") {
			t.Fatalf("merchant without profile: got %d, want 422 linking the profile page\n%.3000s", p.status, p.body)
		}
		// No CSRF token: refused.
		if p := postMultipart(t, e, alice, "/claims/new", fields[1:], nil, ""); p.status != http.StatusForbidden {
			t.Fatalf("without csrf_token: got %d, want 403", p.status)
		}
	})
}

func TestClaimPagesArePrivate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice, bob := loginBrowser(t, e, "alice@example.com"), loginBrowser(t, e, "bob@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), &formFile{"file", "bill.png", pngBytes(50)}, "")
		if filed.status != http.StatusSeeOther {
			t.Fatalf("file: %d", filed.status)
		}
		m := evidenceLink.FindStringSubmatch(getPage(t, e, alice, filed.location, "").body)
		if m == nil {
			t.Fatal("the claim page has no evidence download link")
		}
		for _, path := range []string{filed.location, m[1]} {
			if p := getPage(t, e, bob, path, ""); p.status != http.StatusNotFound || !strings.Contains(p.body, "찾는 페이지가 없습니다") {
				t.Errorf("Bob GET %s: got %d, want the 404 page", path, p.status)
			}
		}
		req, _ := http.NewRequest("GET", e.srv.URL+m[1], nil)
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("Alice's download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		bobTok := formToken(t, bob, e.srv.URL+"/claims")
		if p := postPage(t, e, bob, claimURLOf(filed)+"/withdraw", url.Values{"csrf_token": {bobTok}, "confirm": {"yes"}}); p.status != http.StatusNotFound {
			t.Errorf("Bob withdrawing: got %d, want 404", p.status)
		}
	})
}

func TestWithdrawForm(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), nil, "")
		if filed.status != http.StatusSeeOther {
			t.Fatalf("file: %d", filed.status)
		}
		p := postPage(t, e, alice, claimURLOf(filed)+"/withdraw", url.Values{"csrf_token": {tok}, "reason": {"직접 해결됨"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="withdraw-confirm-error"`) {
			t.Fatalf("withdraw without the box: got %d, want 422 with its error", p.status)
		}
		p = postPage(t, e, alice, claimURLOf(filed)+"/withdraw", url.Values{"csrf_token": {tok}, "reason": {"직접 해결됨"}, "confirm": {"yes"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, claimURLOf(filed)) {
			t.Fatalf("withdraw: got %d to %q", p.status, p.location)
		}
		page := getPage(t, e, alice, p.location, "")
		if !strings.Contains(page.body, `id="claim-status">철회`) || !strings.Contains(page.body, "직접 해결됨") || strings.Contains(page.body, `id="withdraw-form"`) {
			t.Fatalf("after withdrawal the page must show the status and reason, and no withdraw form")
		}
	})
}

// weeklySalesCSV is 4 weeks of 100,000-won hours before the outage's hours and
// 10,000-won hours during them.
func weeklySalesCSV(start time.Time, hours int) []byte {
	var b strings.Builder
	b.WriteString("일시,금액\r\n")
	for w := 4; w >= 0; w-- {
		amount := 100000
		if w == 0 {
			amount = 10000
		}
		for h := range hours {
			at := start.AddDate(0, 0, -7*w).Add(time.Duration(h)*time.Hour + 30*time.Minute)
			fmt.Fprintf(&b, "%s,%d\r\n", at.Format("2006-01-02 15:04"), amount)
		}
	}
	return []byte(b.String())
}

func TestMerchantProfileAndSalesRecords(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		kst := time.FixedZone("KST", 9*3600)
		now := e.now().In(kst)
		start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, kst).AddDate(0, 0, -3)
		o := f.create(t, map[string]any{"service_id": "talk", "features": []string{"login"}, "started_at": start.Format(time.RFC3339),
			"ended_at": start.Add(3 * time.Hour).Format(time.RFC3339), "cause": "error", "summary": "로그인 장애"})
		if o.status != http.StatusCreated {
			t.Fatalf("outage: %d %s", o.status, o.body)
		}
		outageID := o.json(t)["id"].(string)
		alice := loginBrowser(t, e, "alice@example.com")
		tok := formToken(t, alice, e.srv.URL+"/account/profiles")
		profile := url.Values{"csrf_token": {tok}, "business_number": {"120-81-47522"}, "business_name": {"앨리스 분식"}, "business_type": {"음식점"}}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			profile.Set("open."+d, "09:00")
			profile.Set("close."+d, "21:00")
		}
		p := postPage(t, e, alice, "/account/profiles/merchant", profile)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="merchant-business_number-error" class="error">사업자등록번호가 올바르지 않습니다(검증 번호 불일치)`) {
			t.Fatalf("bad business number: got %d, want 422 with the checksum error\n%.3000s", p.status, p.body)
		}
		if !strings.Contains(p.body, `value="앨리스 분식"`) {
			t.Error("the profile form lost the entered business name")
		}
		profile.Set("business_number", "1208147521")
		if p := postPage(t, e, alice, "/account/profiles/merchant", profile); p.status != http.StatusSeeOther {
			t.Fatalf("good business number: got %d, want 303\n%.2000s", p.status, p.body)
		}
		saved := getPage(t, e, alice, "/account/profiles?saved=merchant", "")
		if !strings.Contains(saved.body, `value="120-81-47521"`) || !strings.Contains(saved.body, `id="open-mon" name="open.mon" value="09:00"`) {
			t.Fatalf("the saved profile is not shown:\n%.3000s", saved.body)
		}
		// Filed as a streamed upload (CSRF in the header, as htmx sends it).
		_, tok, key := claimForm(t, e, alice, "")
		fields := [][2]string{{"form_key", key}, {"outage_id", outageID}, {"category", "merchant"}, {"monetary", "yes"},
			{"description", "카카오 로그인이 안 돼 손님이 주문하지 못했습니다"}, {"claimed_amount_krw", "270,000"},
			{"payout_account.bank", "088"}, {"payout_account.number", testAccount}, {"payout_account.holder", "앨리스"},
			{"consent", "yes"}, {"evidence_kind", "sales_records"}}
		filed := postMultipart(t, e, alice, "/claims/new", fields, &formFile{"file", "매출.csv", weeklySalesCSV(start, 3)}, tok)
		if filed.status != http.StatusSeeOther || !claimPath.MatchString(filed.location) {
			t.Fatalf("merchant filing: got %d to %q\n%.2000s", filed.status, filed.location, filed.body)
		}
		page := getPage(t, e, alice, filed.location, "")
		for _, want := range []string{"비교 기간: 직전 4주 같은 요일·같은 시각의 중앙값", "구간 판정 기준: 기록으로 추정한 손실", `id="estimate-amount">₩30,000`,
			"매출.csv"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the merchant's claim page lacks %q", want)
			}
		}
		// A bad records file after filing: the claim page explains, nothing is stored.
		bad := []byte("일시,금액\r\n2024-05-01 10:30,abc\r\n")
		p = postMultipart(t, e, alice, claimURLOf(filed)+"/evidence", [][2]string{{"csrf_token", tok}, {"kind", "sales_records"}}, &formFile{"file", "bad.csv", bad}, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="upload-file-error"`) {
			t.Fatalf("bad records: got %d, want 422 with the file error\n%.2000s", p.status, p.body)
		}
		p = postMultipart(t, e, alice, claimURLOf(filed)+"/evidence", [][2]string{{"csrf_token", tok}, {"kind", "screenshot"}}, &formFile{"file", "shot.png", pngBytes(30)}, "")
		if p.status != http.StatusSeeOther || !strings.Contains(getPage(t, e, alice, p.location, "").body, "shot.png") {
			t.Fatalf("evidence form: got %d to %q", p.status, p.location)
		}
	})
}

func TestClaimFormEvidenceErrorKeepsClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
		p := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), &formFile{"file", "cat.jpg", html}, "")
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "&evidence_error=unsupported_type") {
			t.Fatalf("filing with an HTML file: got %d to %q, want 303 to the claim with evidence_error", p.status, p.location)
		}
		page := getPage(t, e, alice, p.location, "")
		if page.status != 200 || !strings.Contains(page.body, "청구는 접수되었지만 첨부 파일 형식을 받을 수 없습니다") {
			t.Fatalf("claim page with evidence_error: %d", page.status)
		}
	})
}
