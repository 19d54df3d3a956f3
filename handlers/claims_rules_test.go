package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
)

func TestMerchantProfileChecksum(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		tok := e.registerAndLogin(t, "shop@example.com").AccessToken
		profile := map[string]any{"business_number": "120-81-47522", "business_name": "판교 카페", "business_type": "카페",
			"opening_hours": map[string][]string{"mon": {"09:00", "21:00"}, "sat": {"10:00", "22:00"}}}
		r := e.call(t, "PUT", "/api/v1/me/profiles/merchant", profile, bearer(tok)...)
		fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.status != http.StatusUnprocessableEntity || fields["business_number"] == nil {
			t.Fatalf("bad checksum: got %d %s, want 422 naming business_number", r.status, r.body)
		}
		profile["business_number"] = "1208147521"
		r = e.call(t, "PUT", "/api/v1/me/profiles/merchant", profile, bearer(tok)...)
		if r.status != http.StatusOK {
			t.Fatalf("good number: got %d %s", r.status, r.body)
		}
		got := r.json(t)["profiles"].(map[string]any)["merchant"].(map[string]any)
		if got["business_number"] != "120-81-47521" {
			t.Fatalf("stored business number %v, want it formatted", got["business_number"])
		}
		for kind, body := range map[string]any{
			"driver":          map[string]any{"driver_kind": "bus", "vehicle_number": "", "membership": map[string]any{"monthly_fee_krw": -1}},
			"paid_subscriber": map[string]any{"service_id": "", "monthly_fee_krw": 0},
		} {
			if r := e.call(t, "PUT", "/api/v1/me/profiles/"+kind, body, bearer(tok)...); r.status != 422 {
				t.Errorf("bad %s profile: got %d, want 422", kind, r.status)
			}
		}
		if r := e.call(t, "PUT", "/api/v1/me/profiles/astronaut", map[string]any{}, bearer(tok)...); r.status != 404 {
			t.Errorf("unknown profile kind: got %d, want 404", r.status)
		}
		r = e.call(t, "PUT", "/api/v1/me/profiles/driver", map[string]any{"driver_kind": "taxi", "vehicle_number": "12가 3456",
			"membership": map[string]any{"name": "프로", "monthly_fee_krw": 39000}, "licence_number": "11-22-333333-44"}, bearer(tok)...)
		if r.status != 200 || strings.Contains(string(r.body), "333333") {
			t.Fatalf("driver profile: got %d %s, want 200 with the licence masked", r.status, r.body)
		}
		// Saving again without the licence keeps the stored one.
		r = e.call(t, "PUT", "/api/v1/me/profiles/driver", map[string]any{"driver_kind": "taxi", "vehicle_number": "12가 3457",
			"membership": map[string]any{"name": "프로", "monthly_fee_krw": 39000}}, bearer(tok)...)
		if got := r.json(t)["profiles"].(map[string]any)["driver"].(map[string]any)["licence_number"]; got != "**-**-******-**" {
			t.Fatalf("licence after saving without it: got %v, want it kept (masked)", got)
		}
	})
}

// salesCSV is hourly sales of ₩10,000 for the five weeks before end, none
// during [start, end): the loss is ₩10,000 for every outage hour.
func salesCSV(start, end time.Time) string {
	var b strings.Builder
	b.WriteString("일시,금액\r\n")
	kst := time.FixedZone("KST", 9*3600)
	for h := start.Add(-35 * 24 * time.Hour).Truncate(time.Hour); h.Before(end); h = h.Add(time.Hour) {
		if !h.Before(start.Truncate(time.Hour)) {
			continue
		}
		fmt.Fprintf(&b, "%s,\"10,000\"\r\n", h.In(kst).Format("2006-01-02 15:04"))
	}
	return b.String()
}

func TestMerchantRecordsReprice(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		o := e.call(t, "GET", "/api/v1/outages/"+f.outageID, nil).json(t)
		start, _ := time.Parse(time.RFC3339, o["started_at"].(string))
		end, _ := time.Parse(time.RFC3339, o["ended_at"].(string))
		e.call(t, "PUT", "/api/v1/me/profiles/merchant", map[string]any{"business_number": "120-81-47521", "business_name": "가게",
			"opening_hours": map[string][]string{"sun": {"00:00", "24:00"}, "mon": {"00:00", "24:00"}, "tue": {"00:00", "24:00"}, "wed": {"00:00", "24:00"},
				"thu": {"00:00", "24:00"}, "fri": {"00:00", "24:00"}, "sat": {"00:00", "24:00"}}}, bearer(f.alice)...)
		c := f.file(t, f.alice, "m", f.claimBody("merchant", 100_000))
		if c.status != 201 || c.json(t)["estimate"].(map[string]any)["amount_krw"].(float64) != 30_000 {
			t.Fatalf("merchant claiming ₩100,000: got %d %s, want the ₩30,000 band", c.status, c.body)
		}
		id := c.json(t)["id"].(string)

		bad := "일시,금액\r\n2022-10-01 10:00,1000\r\n2022-10-01 11:00,열두시\r\n"
		r := upload(t, e, f.alice, id, "sales_records", "bad.csv", []byte(bad))
		if r.status != 422 || !strings.Contains(string(r.body), "3") || !strings.Contains(string(r.body), "2") {
			t.Fatalf("malformed line: got %d %s, want 422 naming line 3 column 2", r.status, r.body)
		}
		msg := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)["file"].(string)
		if !strings.Contains(msg, "3행 2열") {
			t.Fatalf("error %q: want it to name line 3, column 2", msg)
		}

		cp949, err := korean.EUCKR.NewEncoder().String(salesCSV(start, end))
		if err != nil {
			t.Fatal(err)
		}
		r = upload(t, e, f.alice, id, "sales_records", "매출.csv", []byte(cp949))
		if r.status != 201 || r.json(t)["content_type"] != "text/csv" {
			t.Fatalf("CP949 sales file: got %d %s", r.status, r.body)
		}
		v := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)
		est := v["estimate"].(map[string]any)
		hours := int(end.Sub(start.Truncate(time.Hour)).Hours()) + 1
		if est["amount_krw"].(float64) != 50_000 {
			t.Fatalf("estimate from records (loss about ₩%d over %d hours): got %v, want the ₩50,000 band", hours*10_000, hours, est["amount_krw"])
		}
		if !bytes.Contains([]byte(fmt.Sprint(est["steps"])), []byte("₩10,000")) {
			t.Fatalf("steps %v: want the hourly baselines shown", est["steps"])
		}
		past := v["past_estimates"].([]any)
		if len(past) != 1 || past[0].(map[string]any)["amount_krw"].(float64) != 30_000 {
			t.Fatalf("past estimates %v: want the first ₩30,000 estimate kept", past)
		}

		// The list reads every claim's estimates in one query: the claim's
		// own current and past estimates still come with it.
		list := e.call(t, "GET", "/api/v1/claims", nil, bearer(f.alice)...).json(t)["claims"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != id ||
			list[0].(map[string]any)["estimate"].(map[string]any)["amount_krw"].(float64) != 50_000 ||
			len(list[0].(map[string]any)["past_estimates"].([]any)) != 1 {
			t.Fatalf("claims list %v: want the claim with its ₩50,000 estimate and the past one", list)
		}

		// Both the claimant's page and the reviewer's show the re-pricing.
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "rev@example.com", Password: testPassword, Name: "심사", Role: "reviewer"}); err != nil {
			t.Fatal(err)
		}
		for who, path := range map[string]string{"alice@example.com": "/claims/" + id, "rev@example.com": "/review/claims/" + id} {
			p := getPage(t, e, loginBrowser(t, e, who), path, "")
			if p.status != http.StatusOK || !strings.Contains(p.body, `id="past-estimates"`) || !strings.Contains(p.body, `id="estimate-amount">₩50,000<`) ||
				!regexp.MustCompile(`id="past-0">[^<]*<strong>₩30,000</strong>`).MatchString(p.body) ||
				!strings.Contains(p.body, `id="estimate-reason">제출하신 매출·운행 기록으로 다시 산정했습니다. (₩30,000 → ₩50,000)`) {
				t.Errorf("%s as %s: got %d; want the ₩50,000 estimate from the records and the past ₩30,000 one:\n%s", path, who, p.status, p.body)
			}
		}

		// A new policy version re-prices the claim from its own records
		// (loss about ₩450,000: the second band, now ₩52,000), not from the
		// claimed ₩100,000 (the first band, now ₩31,000).
		publishEdited(t, e, func(p map[string]any) {
			p["name"] = "2026 개정"
			bands := p["categories"].(map[string]any)["merchant"].(map[string]any)["rule"].(map[string]any)["bands"].([]any)
			bands[0].(map[string]any)["amount_krw"] = 31_000
			bands[1].(map[string]any)["amount_krw"] = 52_000
		})
		if n := runRepriceJobs(t, e); n != 1 {
			t.Fatalf("%d re-pricing jobs, want 1", n)
		}
		v = e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)
		est = v["estimate"].(map[string]any)
		if est["amount_krw"].(float64) != 52_000 || est["policy_version"].(float64) != 2 {
			t.Fatalf("estimate after publishing v2: ₩%v under v%v, want ₩52,000 under v2 (from the records)", est["amount_krw"], est["policy_version"])
		}
		var fromRecords, fromClaim bool
		for _, st := range est["steps"].([]any) {
			label := strings.ToLower(st.(map[string]any)["label_en"].(string))
			fromRecords = fromRecords || strings.Contains(label, "records")
			fromClaim = fromClaim || strings.Contains(label, "claimed")
		}
		if !fromRecords || fromClaim {
			t.Fatalf("steps %v: want them worked out from the records, not the claimed amount", est["steps"])
		}
		why := est["reason"].(map[string]any)
		if why["code"] != "policy_published" || why["policy_version"].(float64) != 2 || why["policy_name"] != "2026 개정" || why["previous_amount_krw"].(float64) != 50_000 {
			t.Fatalf("reason %v: want policy_published, v2 \"2026 개정\", replacing ₩50,000", why)
		}
		past = v["past_estimates"].([]any)
		if len(past) != 2 || past[0].(map[string]any)["reason"].(map[string]any)["code"] != "filed" ||
			past[1].(map[string]any)["reason"].(map[string]any)["code"] != "records_uploaded" {
			t.Fatalf("past estimates %v: want the filed ₩30,000 and the ₩50,000 from the records, with their reasons", past)
		}
		// A second run of the same job re-prices nothing.
		job := claims.RepriceJob{ID: "rerun", PolicyVersion: 2}
		if rep, err := e.claims.Reprice(context.Background(), job); err != nil || rep.Repriced != 0 || rep.Skipped != 1 {
			t.Fatalf("rerun: %+v, %v; want nothing re-priced", rep, err)
		}
		if n := len(claimJSON(t, e, f.alice, id)["past_estimates"].([]any)); n != 2 {
			t.Fatalf("after the rerun: %d past estimates, want still 2", n)
		}
		p := getPage(t, e, loginBrowser(t, e, "alice@example.com"), "/claims/"+id, "en")
		if !strings.Contains(p.body, `id="estimate-reason">Worked out again because policy v2 “2026 개정” was published. (₩50,000 → ₩52,000)`) {
			t.Errorf("claim page lacks why the estimate changed:\n%s", p.body)
		}
	})
}

func TestPolicyRepricesUndecidedClaims(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		e.call(t, "PUT", "/api/v1/me/profiles/merchant", map[string]any{"business_number": "120-81-47521", "business_name": "가게",
			"opening_hours": map[string][]string{"mon": {"09:00", "18:00"}}}, bearer(f.alice)...)
		id := f.file(t, f.alice, "m", f.claimBody("merchant", 200_000)).json(t)["id"].(string)

		p := e.call(t, "GET", "/api/v1/policies", nil).json(t)["policies"].([]any)[0].(map[string]any)
		rule := p["categories"].(map[string]any)["merchant"].(map[string]any)["rule"].(map[string]any)
		rule["bands"].([]any)[0].(map[string]any)["amount_krw"] = 40_000
		p["name"] = "2026 개정"
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "root@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		admin := e.login(t, "root@example.com", testPassword).AccessToken
		if r := e.call(t, "POST", "/api/v1/policies", p, bearer(f.alice)...); r.status != http.StatusForbidden {
			t.Fatalf("claimant publishing a policy: got %d, want 403", r.status)
		}
		r := e.call(t, "POST", "/api/v1/policies", p, bearer(admin)...)
		if r.status != http.StatusCreated || r.json(t)["policy"].(map[string]any)["version"].(float64) != 2 ||
			r.json(t)["reprice"].(map[string]any)["status"] != "queued" {
			t.Fatalf("publish: got %d %s, want version 2 with its re-pricing job queued", r.status, r.body)
		}
		// The request re-prices nothing itself; the job does.
		if v := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t); v["estimate"].(map[string]any)["policy_version"].(float64) != 1 {
			t.Fatalf("estimate %v right after publishing: want it still under version 1", v["estimate"])
		}
		if n := runRepriceJobs(t, e); n != 1 {
			t.Fatalf("%d re-pricing jobs, want 1", n)
		}
		v := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)
		if v["estimate"].(map[string]any)["amount_krw"].(float64) != 40_000 || v["estimate"].(map[string]any)["policy_version"].(float64) != 2 {
			t.Fatalf("re-priced estimate %v, want ₩40,000 under version 2", v["estimate"])
		}
		past := v["past_estimates"].([]any)
		if len(past) != 1 || past[0].(map[string]any)["amount_krw"].(float64) != 30_000 || past[0].(map[string]any)["policy_version"].(float64) != 1 {
			t.Fatalf("past estimates %v, want the version 1 estimate of ₩30,000 on record", past)
		}
		list := e.call(t, "GET", "/api/v1/policies", nil).json(t)["policies"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["categories"].(map[string]any)["merchant"].(map[string]any)["rule"].(map[string]any)["bands"].([]any)[0].(map[string]any)["amount_krw"].(float64) != 30_000 {
			t.Fatal("version 1 changed after publishing version 2")
		}
		rule["bands"] = []any{map[string]any{"up_to_krw": 500, "amount_krw": 1}, map[string]any{"up_to_krw": 100, "amount_krw": 2}}
		if r := e.call(t, "POST", "/api/v1/policies", p, bearer(admin)...); r.status != 422 {
			t.Fatalf("descending bands: got %d, want 422", r.status)
		}
	})
}

func TestLateClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		old := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2024-01-01T10:00:00+09:00",
			"ended_at": "2024-01-01T20:00:00+09:00", "cause": "fire", "summary": "오래된 장애"}).json(t)
		body := f.claimBody("driver", 0)
		body["outage_id"] = old["id"]
		r := f.file(t, f.alice, "late", body)
		if r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "late" {
			t.Fatalf("claim 90+ days after restoration: got %d %s, want 422 late", r.status, r.body)
		}
		body["outage_id"] = "0190d5c1-0000-7000-8000-000000000000"
		if r := f.file(t, f.alice, "nope", body); r.status != 422 {
			t.Fatalf("unknown outage: got %d, want 422", r.status)
		}
	})
}
