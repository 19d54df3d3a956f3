package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
)

// publish2025Policy publishes, as an admin, a policy for outages from 2025
// with other multipliers, bands and filing window than the default: paid
// subscribers 5x the started 24-hour periods rounded up to ₩100, drivers 4x,
// merchants ₩45,000 up to ₩400,000 and ₩90,000 up to ₩800,000, claims
// until windowDays days after restoration.
func publish2025Policy(t *testing.T, e *testEnv, windowDays int) {
	t.Helper()
	if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "policy-admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	admin := e.login(t, "policy-admin@example.com", testPassword).AccessToken
	p := e.call(t, "GET", "/api/v1/policies", nil).json(t)["policies"].([]any)[0].(map[string]any)
	p["name"], p["effective_from"], p["filing_window_days"] = "2025 개정 기준", "2025-01-01T00:00:00+09:00", windowDays
	cats := p["categories"].(map[string]any)
	rule := func(cat string) map[string]any { return cats[cat].(map[string]any)["rule"].(map[string]any) }
	for cat, mult := range map[string]int{"paid_subscriber": 5, "driver": 4} {
		r := rule(cat)
		r["multiplier"], r["round_up_to_krw"], r["day_rounding"] = mult, 100, "ceil"
	}
	rule("merchant")["bands"] = []map[string]int{{"up_to_krw": 400_000, "amount_krw": 45_000}, {"up_to_krw": 800_000, "amount_krw": 90_000}}
	if r := e.call(t, "POST", "/api/v1/policies", p, bearer(admin)...); r.status != http.StatusCreated {
		t.Fatalf("publish the 2025 policy: got %d %s, want 201", r.status, r.body)
	}
}

// policyOutages records a 2022 taxi outage (the Kakao T times) and a 24-hour
// 2025 one, and returns their ids.
func policyOutages(t *testing.T, f *outageFixture) (id2022, id2025 string) {
	t.Helper()
	ids := make([]string, 2)
	for i, w := range [][2]string{{"2022-10-15T15:30:00+09:00", "2022-10-16T14:00:00+09:00"}, {"2025-06-01T09:00:00+09:00", "2025-06-02T09:00:00+09:00"}} {
		r := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": w[0], "ended_at": w[1],
			"cause": "fire", "summary": "화재"})
		if r.status != http.StatusCreated {
			t.Fatalf("create outage %s: got %d %s", w[0], r.status, r.body)
		}
		ids[i] = r.json(t)["id"].(string)
	}
	return ids[0], ids[1]
}

// policyCase is what a page or draft must and must not show for one outage.
type policyCase struct {
	name, id string
	want     []string
	absent   []string
}

func checkText(t *testing.T, what, body string, c policyCase) {
	t.Helper()
	for _, w := range c.want {
		if !strings.Contains(body, w) {
			t.Errorf("%s for the %s lacks %q:\n%.4000s", what, c.name, w, body)
		}
	}
	for _, a := range c.absent {
		if strings.Contains(body, a) {
			t.Errorf("%s for the %s shows %q, which its policy does not say", what, c.name, a)
		}
	}
}

// TestCompensationNoticeDraftFollowsThePolicy checks every legally required
// part of the compensation notice draft, through the API and the draft page,
// for a 2022 outage under the default policy and a 2025 outage under a
// policy published for 2025.
func TestCompensationNoticeDraftFollowsThePolicy(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		publish2025Policy(t, e, 60)
		id2022, id2025 := policyOutages(t, f)
		cases := []struct {
			policyCase
			version float64
		}{
			{policyCase{"2022 outage", id2022, []string{
				"청구 대상", "무료 서비스 이용자, 유료 서비스 가입자, 소상공인(가맹점), 택시·대리운전 기사, 제휴 사업자",
				"배상 기준 (보상 기준 제1판", "손실 ₩300,000 이하 → ₩30,000", "× 3 ÷ 해당 월 일수",
				"필요한 증빙", "- 소상공인(가맹점): 사업자등록증·소상공인 확인서, 매출 기록 (CSV·XLSX), 이용 계정 확인 자료 또는 통장 사본",
				"청구 절차와 방법: https://bosang.example", "청구 기한: 2023-01-14 14:00 KST까지 (복구 후 90일)", "문의처: 고객센터 1577-0000",
				"Who may claim", "loss up to ₩300,000 → ₩30,000", "Evidence required", "- Merchant (small business): Business registration or small-business certificate",
				"Procedure and method", "Deadline: 2023-01-14 14:00 KST (90 days after restoration)",
			}, nil}, 1},
			{policyCase{"2025 outage", id2025, []string{
				"청구 대상", "배상 기준 (보상 기준 제2판 「2025 개정 기준」)", "손실 ₩400,000 이하 → ₩45,000 · 손실 ₩800,000 이하 → ₩90,000",
				"- 유료 서비스 가입자: 월 요금 × 장애 일수(24시간 단위 올림) × 5 ÷ 해당 월 일수, ₩100 단위 올림", "× 4 ÷ 해당 월 일수",
				"필요한 증빙", "청구 절차와 방법", "청구 기한: 2025-08-01 09:00 KST까지 (복구 후 60일)", "문의처",
				"loss up to ₩400,000 → ₩45,000", "Deadline: 2025-08-01 09:00 KST (60 days after restoration)",
			}, []string{"₩30,000", "₩300,000", "× 3", "90일", "90 days"}}, 2},
		}
		op := loginBrowser(t, e, "op@example.com")
		for _, c := range cases {
			r := e.call(t, "GET", "/api/v1/outages/"+c.id+"/notice-draft?kind=compensation", nil, bearer(f.operator)...)
			if r.status != http.StatusOK {
				t.Fatalf("%s draft: got %d %s", c.name, r.status, r.body)
			}
			d := r.json(t)
			if d["policy_version"] != c.version || fmt.Sprint(d["parts"]) != "[eligible_claimants criteria evidence procedure_and_method deadline contact]" {
				t.Errorf("%s draft: policy_version %v, parts %v; want %v and every part", c.name, d["policy_version"], d["parts"], c.version)
			}
			checkText(t, "API draft", d["ko"].(string)+"\n"+d["en"].(string), c.policyCase)
			p := getPage(t, e, op, "/ops/outages/"+c.id+"/notice-draft?kind=compensation", "")
			if p.status != http.StatusOK || !strings.Contains(p.body, fmt.Sprintf("보상 기준 제%v판의 금액", c.version)) {
				t.Errorf("%s draft page: got %d, want 200 naming policy version %v", c.name, p.status, c.version)
			}
			checkText(t, "draft page", p.body, c.policyCase)
		}
	})
}

// TestEligibilityAndClaimFormFollowThePolicy checks that the eligibility
// checker and the filing form state the numbers of the policy that governs
// each outage: the default's for 2022, the 2025 policy's for 2025.
func TestEligibilityAndClaimFormFollowThePolicy(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		publish2025Policy(t, e, 60)
		id2022, id2025 := policyOutages(t, f)
		anon := e.browser(t)
		old := []string{"₩30,000", "₩300,000", "× 3"}
		eligibility := []struct {
			policyCase
			query, lang string
		}{
			{policyCase{"2022 merchant", id2022, []string{"손실 ₩300,000 이하 → ₩30,000 · 손실 ₩500,000 이하 → ₩50,000"}, nil},
				"service=taxi&role=merchant&at=2022-10-15T17:00", ""},
			{policyCase{"2025 merchant", id2025, []string{"손실 ₩400,000 이하 → ₩45,000 · 손실 ₩800,000 이하 → ₩90,000"}, old},
				"service=taxi&role=merchant&at=2025-06-01T12:00", ""},
			{policyCase{"2022 paid user", id2022, []string{"× 3 ÷ 해당 월 일수", "장애 일수 2일 × 3 ÷ 그 달 일수 31일, 곧 월 이용료의 약 19.4%"}, nil},
				"service=taxi&role=user&at=2022-10-15T17:00", ""},
			{policyCase{"2025 paid user", id2025, []string{"장애 일수(24시간 단위 올림) × 5", "장애 일수 1일 × 5 ÷ 그 달 일수 30일, 곧 월 이용료의 약 16.7%"}, old},
				"service=taxi&role=user&at=2025-06-01T12:00", ""},
			{policyCase{"2025 paid user in English", id2025, []string{"(each started 24 hours) × 5", "1 outage day(s) × 5 ÷ 30 days in the month, about 16.7%"}, old},
				"service=taxi&role=user&at=2025-06-01T12:00", "en"},
			{policyCase{"2025 driver", id2025, []string{"× 4 ÷ 해당 월 일수", "장애 일수 1일 × 4 ÷ 그 달 일수 30일, 곧 월 이용료의 약 13.3%"}, old},
				"service=taxi&role=driver&at=2025-06-01T12:00", ""},
		}
		for _, c := range eligibility {
			p := getPage(t, e, anon, "/eligibility?"+c.query, c.lang)
			if p.status != http.StatusOK || !strings.Contains(p.body, "/outages/"+c.id) {
				t.Fatalf("eligibility for the %s: got %d, want 200 listing the outage", c.name, p.status)
			}
			checkText(t, "eligibility page", p.body, c.policyCase)
		}

		e.registerAndLogin(t, "alice@example.com")
		alice := loginBrowser(t, e, "alice@example.com")
		form := []policyCase{
			{"2022 outage", id2022, []string{"손실 ₩300,000 이하 → ₩30,000", "× 3 ÷ 해당 월 일수"}, nil},
			{"2025 outage", id2025, []string{"손실 ₩400,000 이하 → ₩45,000", "× 5 ÷ 해당 월 일수", "× 4 ÷ 해당 월 일수"}, old},
		}
		for _, c := range form {
			p, _, _ := claimForm(t, e, alice, "?outage="+c.id)
			checkText(t, "claim form", p.body, c)
		}
	})
}
