package handlers_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/outage"
)

// page is one HTML response.
type page struct {
	status   int
	location string
	body     string
}

// getPage fetches path with c; lang, when set, is sent as the lang cookie.
func getPage(t *testing.T, e *testEnv, c *http.Client, path, lang string) page {
	t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lang != "" {
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
	}
	return doPage(t, c, req)
}

func postPage(t *testing.T, e *testEnv, c *http.Client, path string, form url.Values) page {
	t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doPage(t, c, req)
}

func doPage(t *testing.T, c *http.Client, req *http.Request) page {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

var verdictText = regexp.MustCompile(`id="verdict"[^>]*>([^<]*)<`)

// verdictOf is the text of the element with id="verdict".
func verdictOf(t *testing.T, p page) string {
	t.Helper()
	m := verdictText.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no id=\"verdict\" element in %.3000s", p.body)
	}
	return html.UnescapeString(m[1])
}

// pagesFixture is a paid value-added service over the size bar, a shop
// built on its login, an operator (model and logged-in browser) and a 5-hour
// outage of 2022.
type pagesFixture struct {
	operator *http.Client
	outageID string
}

func newPagesFixture(t *testing.T, e *testEnv) *pagesFixture {
	t.Helper()
	ctx := context.Background()
	prov := outage.NewProvider{Name: "페이먼츠", Kind: "value_added", PriorYearRevenueKRW: 12_000_000_000, AvgDailyUsers: 1_500_000, Contact: "1577-1234"}
	for _, in := range []outage.NewServiceInput{
		{Code: "pay", Name: "페이", NameEN: "Pay", Paid: true, Provider: prov,
			Features: []outage.NewFeature{{Code: "payment", Name: "결제", NameEN: "Payment"}, {Code: "login", Name: "로그인", NameEN: "Login"}}},
		{Code: "shop", Name: "쇼핑몰", NameEN: "Shop", Paid: true, DependsOn: []string{"pay.login"},
			Provider: outage.NewProvider{Name: "쇼핑", Kind: "value_added", PriorYearRevenueKRW: 20_000_000_000, AvgDailyUsers: 1_000_000},
			Features: []outage.NewFeature{{Code: "order", Name: "주문", NameEN: "Ordering"}}},
	} {
		if _, err := e.outages.CreateService(ctx, in); err != nil {
			t.Fatalf("create service %s: %v", in.Code, err)
		}
	}
	if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "pages-op@example.com", Password: testPassword, Name: "운영자", Role: "operator"}); err != nil {
		t.Fatal(err)
	}
	op, err := e.db.UserByEmail(ctx, "pages-op@example.com")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2022, 10, 15, 15, 30, 0, 0, time.FixedZone("KST", 9*3600))
	end := start.Add(5 * time.Hour)
	v, err := e.outages.Create(ctx, op, outage.NewOutage{ServiceID: "pay", Features: []string{"payment", "login"}, StartedAt: &start, EndedAt: &end,
		Cause: "equipment_fault", Summary: "데이터센터 화재로 결제와 로그인이 멈췄습니다."})
	if err != nil {
		t.Fatalf("create outage: %v", err)
	}
	b := loginBrowser(t, e, "pages-op@example.com")
	return &pagesFixture{operator: b, outageID: v.ID}
}

func TestStatusAndOutagePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newPagesFixture(t, e)
		anon := e.browser(t)

		t.Run("status page lists the outage with its verdict", func(t *testing.T) {
			p := getPage(t, e, anon, "/status", "")
			for _, want := range []string{"/outages/" + f.outageID, "페이", "고지 의무 있음", "5시간", "2022-10-15 15:30 KST", `id="availability-pay"`, "쇼핑몰"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("status page lacks %q", want)
				}
			}
			if p.status != http.StatusOK {
				t.Fatalf("got %d, want 200", p.status)
			}
		})
		t.Run("status filter by service and dates", func(t *testing.T) {
			if p := getPage(t, e, anon, "/status?service=shop", ""); strings.Contains(p.body, "/outages/"+f.outageID) {
				t.Errorf("filtered by shop, the pay outage is still listed")
			}
			if p := getPage(t, e, anon, "/status?service=pay&from=2022-10-15&to=2022-10-15", ""); !strings.Contains(p.body, "/outages/"+f.outageID) {
				t.Errorf("filtered by pay on its day, the outage is missing")
			}
			if p := getPage(t, e, anon, "/status?from=yesterday", ""); p.status != http.StatusUnprocessableEntity {
				t.Errorf("bad date: got %d, want 422", p.status)
			}
		})
		t.Run("outage page states the verdict in Korean", func(t *testing.T) {
			p := getPage(t, e, anon, "/outages/"+f.outageID, "")
			want := "이 장애는 4시간을 넘어 2019-06-25 시행령에 따라 중단 사실 고지 의무가 있습니다. 고지 기한: 2022-10-15 20:30 KST."
			if got := verdictOf(t, p); !strings.HasPrefix(got, want) {
				t.Fatalf("verdict %q, want it to start with %q", got, want)
			}
			for _, want := range []string{"페이먼츠", "쇼핑몰", "pay.login", "결제", "설비 장애"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("outage page lacks %q", want)
				}
			}
			if strings.Contains(p.body, `id="notice-form"`) {
				t.Errorf("anonymous visitors see the operator's notice form")
			}
		})
		t.Run("outage page states the verdict in English", func(t *testing.T) {
			p := getPage(t, e, anon, "/outages/"+f.outageID, "en")
			want := "This outage lasted more than 4 hours, so under the decree of 2019-06-25 the provider must notify users. Notice due by 2022-10-15 20:30 KST."
			if got := verdictOf(t, p); !strings.HasPrefix(got, want) {
				t.Fatalf("verdict %q, want it to start with %q", got, want)
			}
			if !strings.Contains(p.body, `<html lang="en">`) {
				t.Errorf("page is not marked lang=en")
			}
		})
		t.Run("unknown outage is a 404 page", func(t *testing.T) {
			if p := getPage(t, e, anon, "/outages/nope", ""); p.status != http.StatusNotFound {
				t.Fatalf("got %d, want 404", p.status)
			}
		})
		t.Run("eligibility includes downstream impact", func(t *testing.T) {
			p := getPage(t, e, anon, "/eligibility?service=shop&role=merchant&at=2022-10-15T17:00", "")
			if p.status != http.StatusOK || !strings.Contains(p.body, "/outages/"+f.outageID) || !strings.Contains(p.body, "손실 ₩300,000 이하 → ₩30,000") {
				t.Fatalf("got %d, want 200 listing the pay outage with the merchant bands: %.2000s", p.status, p.body)
			}
			if p := getPage(t, e, anon, "/eligibility?service=shop&role=merchant&at=2022-10-16T17:00", ""); strings.Contains(p.body, "/outages/"+f.outageID) {
				t.Errorf("a time after the outage still qualifies")
			}
			if p := getPage(t, e, anon, "/eligibility?service=shop&role=pilot&at=2022-10-15T17:00", ""); p.status != http.StatusUnprocessableEntity {
				t.Errorf("unknown role: got %d, want 422", p.status)
			}
		})
	})
}

func TestOperatorPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newPagesFixture(t, e)
		ctx := context.Background()
		b := f.operator
		form := func(extra url.Values) url.Values {
			v := url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/ops/outages/new?service=pay")}, "service": {"pay"},
				"features": {"payment"}, "started_at": {"2022-11-01T10:00"}, "ended_at": {"2022-11-01T12:30"},
				"cause": {"error"}, "regions": {"서울, 경기"}, "summary": {"결제 오류"}}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}
		count := func() int {
			vs, err := e.outages.List(ctx, outage.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(vs)
		}

		t.Run("dashboard lists the notices due", func(t *testing.T) {
			p := getPage(t, e, b, "/ops", "")
			if p.status != http.StatusOK || !strings.Contains(p.body, "/outages/"+f.outageID+"#notices") || !strings.Contains(p.body, "기한 지남") {
				t.Fatalf("got %d, want 200 with the overdue notices of the outage", p.status)
			}
			if !strings.Contains(p.body, `id="nav-ops"`) {
				t.Errorf("operator nav lacks the operations link")
			}
		})
		t.Run("create form records an outage", func(t *testing.T) {
			p := postPage(t, e, b, "/ops/outages", form(nil))
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/outages/") {
				t.Fatalf("got %d to %q, want 303 to /outages/:id: %.2000s", p.status, p.location, p.body)
			}
			v, err := e.outages.Get(ctx, strings.TrimPrefix(p.location, "/outages/"))
			if err != nil {
				t.Fatalf("created outage: %v", err)
			}
			if v.Service.Code != "pay" || v.DurationSeconds != 9000 || strings.Join(v.Regions, "|") != "서울|경기" || !v.StartedAt.Equal(time.Date(2022, 11, 1, 1, 0, 0, 0, time.UTC)) {
				t.Fatalf("stored %s %ds regions %v from %v, want pay, 9000s, [서울 경기], 2022-11-01 10:00 KST", v.Service.Code, v.DurationSeconds, v.Regions, v.StartedAt)
			}
		})
		t.Run("end before start is a 422 with the field error", func(t *testing.T) {
			before := count()
			p := postPage(t, e, b, "/ops/outages", form(url.Values{"ended_at": {"2022-11-01T09:00"}}))
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "종료 시각은 시작 시각보다 뒤여야 합니다.") {
				t.Fatalf("got %d, want 422 naming ended_at: %.2000s", p.status, p.body)
			}
			if !strings.Contains(p.body, `id="ended_at-error"`) || !strings.Contains(p.body, `value="2022-11-01T09:00"`) {
				t.Errorf("the form is not re-rendered with the field error and the posted value")
			}
			if got := count(); got != before {
				t.Fatalf("%d outages after a rejected form, want %d", got, before)
			}
		})
		t.Run("edit with a stale version is a 412 page", func(t *testing.T) {
			tok := formToken(t, b, e.srv.URL+"/ops/outages/"+f.outageID+"/edit")
			edit := url.Values{"csrf_token": {tok}, "version": {"1"}, "features": {"payment", "login"}, "started_at": {"2022-10-15T15:30"},
				"ended_at": {"2022-10-15T20:40"}, "cause": {"equipment_fault"}, "summary": {"정정"}, "reason": {"종료 시각 정정"}}
			if p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/edit", edit); p.status != http.StatusSeeOther {
				t.Fatalf("first edit: got %d, want 303: %.2000s", p.status, p.body)
			}
			if p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/edit", edit); p.status != http.StatusPreconditionFailed {
				t.Fatalf("stale edit: got %d, want 412", p.status)
			}
			if p := getPage(t, e, b, "/outages/"+f.outageID, ""); !strings.Contains(p.body, "종료 시각 정정") {
				t.Errorf("the revision history lacks the reason")
			}
		})
		t.Run("recording a notice clears the duty", func(t *testing.T) {
			p := getPage(t, e, b, "/outages/"+f.outageID, "")
			if !strings.Contains(p.body, `id="notice-form"`) || !strings.Contains(p.body, "[서비스 제공 중단 안내]") {
				t.Fatalf("operator's outage page lacks the notice form prefilled with the draft")
			}
			tok := csrfInput.FindStringSubmatch(p.body)[1]
			bad := url.Values{"csrf_token": {tok}, "kind": {"interruption"}, "sent_at": {"2022-10-15T21:00"}, "body": {"안내"}}
			if p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/notices", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "고지 수단을 하나 이상 고르세요.") {
				t.Fatalf("notice without channels: got %d, want 422 naming channels", p.status)
			}
			ok := url.Values{"csrf_token": {tok}, "kind": {"interruption"}, "channels": {"app", "sms"}, "sent_at": {"2022-10-15T21:00"}, "body": {"안내"}}
			if p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/notices", ok); p.status != http.StatusSeeOther {
				t.Fatalf("notice: got %d, want 303", p.status)
			}
			v, _ := e.outages.Get(ctx, f.outageID)
			if len(v.Notice.Notices) != 1 {
				t.Fatalf("got %d notices, want 1", len(v.Notice.Notices))
			}
			if p := getPage(t, e, b, "/ops/outages/"+f.outageID+"/notice-draft?kind=compensation", ""); p.status != http.StatusOK || !strings.Contains(p.body, "[Compensation criteria and procedure]") {
				t.Fatalf("draft page: got %d, want 200 with the English text", p.status)
			}
		})
		t.Run("timeline update is posted to the outage page", func(t *testing.T) {
			tok := formToken(t, b, e.srv.URL+"/outages/"+f.outageID)
			if p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/updates", url.Values{"csrf_token": {tok}, "body": {" "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="update-body-error"`) {
				t.Fatalf("empty update: got %d, want 422 with the field error", p.status)
			}
			p := postPage(t, e, b, "/ops/outages/"+f.outageID+"/updates", url.Values{"csrf_token": {tok}, "body": {"결제가 복구되었습니다."}})
			if p.status != http.StatusSeeOther || p.location != "/outages/"+f.outageID+"#timeline" {
				t.Fatalf("update: got %d to %q, want 303 to the timeline", p.status, p.location)
			}
			if p := getPage(t, e, e.browser(t), "/outages/"+f.outageID, ""); !strings.Contains(p.body, "결제가 복구되었습니다.") {
				t.Errorf("the public timeline lacks the update")
			}
		})
		t.Run("claimant gets 403", func(t *testing.T) {
			c := e.browser(t)
			reg := url.Values{"csrf_token": {formToken(t, c, e.srv.URL+"/register")}, "email": {"claimant-pages@example.com"},
				"password": {testPassword}, "name": {"김청구"}, "phone": {"010-3333-4444"}}
			if p := postPage(t, e, c, "/register", reg); p.status != http.StatusSeeOther {
				t.Fatalf("register: got %d", p.status)
			}
			c = loginBrowser(t, e, "claimant-pages@example.com")
			if p := getPage(t, e, c, "/ops", ""); p.status != http.StatusForbidden {
				t.Fatalf("claimant on /ops: got %d, want 403", p.status)
			}
			if p := getPage(t, e, c, "/status", ""); strings.Contains(p.body, `id="nav-ops"`) {
				t.Errorf("claimant sees the operations link")
			}
		})
		t.Run("anonymous is sent to log in", func(t *testing.T) {
			p := getPage(t, e, e.browser(t), "/ops", "")
			if p.status != http.StatusSeeOther || p.location != "/login?next=/ops" {
				t.Fatalf("got %d to %q, want 303 to /login?next=/ops", p.status, p.location)
			}
		})
	})
}
