package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
)

// kakaoTFixture is the 2022 Kakao T outage as reported (15 Oct 15:30 to
// 16 Oct about 14:00 KST) under a policy that is the default with a filing
// window long enough to claim for it today.
type kakaoTFixture struct {
	*claimFixture
	kakaoT string
	admin  string
}

func newKakaoTFixture(t *testing.T, e *testEnv) *kakaoTFixture {
	t.Helper()
	f := newClaimFixture(t, e)
	if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "root@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	admin := e.login(t, "root@example.com", testPassword).AccessToken
	p := e.call(t, "GET", "/api/v1/policies", nil).json(t)["policies"].([]any)[0].(map[string]any)
	p["name"], p["effective_from"], p["filing_window_days"] = "2022 카카오 기준 (장기 접수)", "2022-01-01T00:00:00+09:00", 3650
	if r := e.call(t, "POST", "/api/v1/policies", p, bearer(admin)...); r.status != http.StatusCreated {
		t.Fatalf("publish: got %d %s", r.status, r.body)
	}
	o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2022-10-15T15:30:00+09:00",
		"ended_at": "2022-10-16T14:00:00+09:00", "cause": "fire", "summary": "판교 데이터센터 화재"})
	if o.status != http.StatusCreated {
		t.Fatalf("create outage: %d %s", o.status, o.body)
	}
	return &kakaoTFixture{claimFixture: f, kakaoT: o.json(t)["id"].(string), admin: admin}
}

func stepsText(est map[string]any) string {
	var b strings.Builder
	for _, s := range est["steps"].([]any) {
		m := s.(map[string]any)
		fmt.Fprintf(&b, "%v | %v | %v\n", m["label"], m["value"], m["value_en"])
	}
	return b.String()
}

// tripsCSV is fares of ₩20,000 an hour on the four Saturdays before
// 15 Oct 2022 from 15:00 to 18:00, and none during the outage.
func tripsCSV() string {
	var b strings.Builder
	b.WriteString("출발시각,도착시각,요금\n")
	for _, d := range []string{"2022-09-17", "2022-09-24", "2022-10-01", "2022-10-08"} {
		for _, h := range []string{"15", "16", "17"} {
			fmt.Fprintf(&b, "%s %s:05,%s %s:35,\"20,000\"\n", d, h, d, h)
		}
	}
	return b.String()
}

func TestKakaoTProDriverGoldenCase(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newKakaoTFixture(t, e)
		e.call(t, "PUT", "/api/v1/me/profiles/driver", map[string]any{"driver_kind": "taxi", "vehicle_number": "12가 3456",
			"membership": map[string]any{"name": "프로", "monthly_fee_krw": 39000}}, bearer(f.alice)...)
		body := f.claimBody("driver", 0)
		body["outage_id"], body["details"] = f.kakaoT, map[string]any{}
		r := f.file(t, f.alice, "pro", body)
		if r.status != http.StatusCreated {
			t.Fatalf("file: got %d %s", r.status, r.body)
		}
		est := r.json(t)["estimate"].(map[string]any)
		steps := stepsText(est)
		if est["amount_krw"].(float64) != 7_550 || est["policy_version"].(float64) != 2 {
			t.Fatalf("Pro driver: got %v under v%v, want ₩7,550 under v2 (Kakao's figure)\n%s", est["amount_krw"], est["policy_version"], steps)
		}
		for _, want := range []string{"2022-10-15 ~ 2022-10-16 → 2일", "₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39", "₩7,548.39 → ₩7,550"} {
			if !strings.Contains(steps, want) {
				t.Errorf("steps lack %q:\n%s", want, steps)
			}
		}
		// Trip records with no trips during the outage: the earnings lost
		// (3 hours of ₩20,000) decide, with the membership amount as floor.
		id := r.json(t)["id"].(string)
		if u := upload(t, e, f.alice, id, "trip_records", "운행.csv", []byte(tripsCSV())); u.status != http.StatusCreated {
			t.Fatalf("trip records: got %d %s", u.status, u.body)
		}
		est = e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)["estimate"].(map[string]any)
		steps = stepsText(est)
		if est["amount_krw"].(float64) != 60_000 || !strings.Contains(steps, "₩60,000 ≥ ₩7,550 → ₩60,000") {
			t.Fatalf("with trip records: got %v, want the ₩60,000 lost over the ₩7,550 floor\n%s", est["amount_krw"], steps)
		}
	})
}

func TestRecordsThatProveNoLossAreNotPaid(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newKakaoTFixture(t, e)
		// Open on weekdays only: the outage (Saturday 15:30 to Sunday 14:00)
		// fell wholly outside the opening hours.
		weekdays := map[string][]string{}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
			weekdays[d] = []string{"09:00", "18:00"}
		}
		e.call(t, "PUT", "/api/v1/me/profiles/merchant", map[string]any{"business_number": "120-81-47521", "business_name": "가게",
			"opening_hours": weekdays}, bearer(f.alice)...)
		body := f.claimBody("merchant", 100_000)
		body["outage_id"] = f.kakaoT
		r := f.file(t, f.alice, "m", body)
		if r.status != http.StatusCreated {
			t.Fatalf("file: got %d %s", r.status, r.body)
		}
		id := r.json(t)["id"].(string)
		start, _ := time.Parse(time.RFC3339, "2022-10-15T15:30:00+09:00")
		end, _ := time.Parse(time.RFC3339, "2022-10-16T14:00:00+09:00")
		if u := upload(t, e, f.alice, id, "sales_records", "매출.csv", []byte("\ufeff"+salesCSV(start, end))); u.status != http.StatusCreated {
			t.Fatalf("sales records (UTF-8 with BOM): got %d %s", u.status, u.body)
		}
		v := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)
		est := v["estimate"].(map[string]any)
		if est["amount_krw"].(float64) != 0 || est["auto"] != false || est["review_required"] != true || est["review_reason"] != "outside_opening_hours" {
			t.Fatalf("outage outside opening hours: got %v auto=%v review=%v reason=%v, want ₩0 for a person with outside_opening_hours\n%s",
				est["amount_krw"], est["auto"], est["review_required"], est["review_reason"], stepsText(est))
		}
		if s := v["status"]; s == "approved" || s == "partially_approved" {
			t.Fatalf("claim is %v: a ₩0 records estimate must not be approved automatically", s)
		}
	})
}

func TestClaimAboveTheTopBandSaysIndividualReview(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newKakaoTFixture(t, e)
		e.call(t, "PUT", "/api/v1/me/profiles/merchant", map[string]any{"business_number": "120-81-47521", "business_name": "가게",
			"opening_hours": map[string][]string{"sat": {"00:00", "24:00"}, "sun": {"00:00", "24:00"}}}, bearer(f.alice)...)
		body := f.claimBody("merchant", 1_200_000)
		body["outage_id"] = f.kakaoT
		r := f.file(t, f.alice, "big", body)
		est := r.json(t)["estimate"].(map[string]any)
		if r.status != http.StatusCreated || est["review_required"] != true || est["review_reason"] != "above_top_band" ||
			!strings.Contains(stepsText(est), "A reviewer sets the amount") {
			t.Fatalf("₩1,200,000 claimed: got %d %v, want individual review that says how it works\n%s", r.status, est, stepsText(est))
		}
	})
}

// TestEstimateFollowsThePublished2025Policy: claims for a 2025 outage are
// priced, with every step, under the policy published for 2025.
func TestEstimateFollowsThePublished2025Policy(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		publish2025Policy(t, e, 3650) // long enough to file for both outages today
		_, id2025 := policyOutages(t, f.outageFixture)
		e.call(t, "PUT", "/api/v1/me/profiles/merchant", map[string]any{"business_number": "120-81-47521", "business_name": "가게",
			"opening_hours": map[string][]string{"sun": {"09:00", "21:00"}}}, bearer(f.alice)...)
		for _, tc := range []struct {
			name, outage, category string
			claimed, want          int64
			version                float64
			steps                  []string
		}{
			// 1 day (24 hours, ceil) × 5 ÷ 30 days of June of ₩39,000 = ₩6,500.
			{"2025 paid subscriber at 5x", id2025, "paid_subscriber", 0, 6_500, 2, []string{"24시간 → 1일", "₩39,000 × 1일 × 5 ÷ 30일 = ₩6,500"}},
			// Under the default, ₩350,000 would be the ₩50,000 band.
			{"2025 merchant in the ₩400,000 band", id2025, "merchant", 350_000, 45_000, 2, []string{"₩400,000 이하 → ₩45,000"}},
			{"2025 driver at 4x", id2025, "driver", 0, 5_200, 2, []string{"₩39,000 × 1일 × 4 ÷ 30일 = ₩5,200"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := f.claimBody(tc.category, tc.claimed)
				body["outage_id"] = tc.outage
				r := f.file(t, f.alice, tc.name, body)
				if r.status != http.StatusCreated {
					t.Fatalf("file: got %d %s", r.status, r.body)
				}
				est := r.json(t)["estimate"].(map[string]any)
				steps := stepsText(est)
				if est["amount_krw"].(float64) != float64(tc.want) || est["policy_version"] != tc.version {
					t.Fatalf("got %v under v%v, want ₩%d under v%v\n%s", est["amount_krw"], est["policy_version"], tc.want, tc.version, steps)
				}
				for _, s := range tc.steps {
					if !strings.Contains(steps, s) {
						t.Errorf("steps lack %q:\n%s", s, steps)
					}
				}
			})
		}
	})
}
