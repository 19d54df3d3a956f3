package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/outage"
)

// outageFixture is a catalogue with a paid service, a free one and a partner
// built on the free one's login, plus an operator's token.
type outageFixture struct {
	e        *testEnv
	operator string
}

func newOutageFixture(t *testing.T, e *testEnv) *outageFixture {
	t.Helper()
	ctx := context.Background()
	big := outage.NewProvider{Name: "플랫폼", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000, Contact: "고객센터 1577-0000"}
	for _, in := range []outage.NewServiceInput{
		{Code: "talk", Name: "톡", NameEN: "Talk", Paid: false, Provider: big, Features: []outage.NewFeature{{Code: "messaging", Name: "메시지"}, {Code: "login", Name: "로그인", NameEN: "Login"}}},
		{Code: "taxi", Name: "택시", NameEN: "Taxi", Paid: true, Provider: big, Features: []outage.NewFeature{{Code: "hailing", Name: "호출", NameEN: "Hailing"}, {Code: "designated", Name: "대리", NameEN: "Designated"}}},
		{Code: "exchange", Name: "거래소", NameEN: "Exchange", Paid: true, DependsOn: []string{"talk.login"},
			Provider: outage.NewProvider{Name: "거래소", Kind: "value_added", PriorYearRevenueKRW: 20_000_000_000, AvgDailyUsers: 1_000_000},
			Features: []outage.NewFeature{{Code: "trading", Name: "거래"}}},
	} {
		if _, err := e.outages.CreateService(ctx, in); err != nil {
			t.Fatalf("create service %s: %v", in.Code, err)
		}
	}
	if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "op@example.com", Password: testPassword, Name: "운영자", Role: "operator"}); err != nil {
		t.Fatal(err)
	}
	return &outageFixture{e: e, operator: e.login(t, "op@example.com", testPassword).AccessToken}
}

func (f *outageFixture) create(t *testing.T, body map[string]any) response {
	t.Helper()
	return f.e.call(t, "POST", "/api/v1/outages", body, bearer(f.operator)...)
}

func kstTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOutageLifecycle(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		r := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing", "designated"},
			"started_at": "2022-10-15T15:30:00+09:00", "ended_at": "2022-10-15T19:30:01+09:00",
			"feature_restored_at": map[string]string{"designated": "2022-10-15T17:30:00+09:00"},
			"cause":               "equipment_fault", "summary": "서버 장애", "regions": []string{"서울", "경기"}})
		if r.status != http.StatusCreated {
			t.Fatalf("create: got %d %s, want 201", r.status, r.body)
		}
		o := r.json(t)
		id := o["id"].(string)
		notice := o["notice"].(map[string]any)
		if notice["required"] != true || notice["exemption"] != nil || notice["regime"] != "decree-2019-06-25" {
			t.Fatalf("4h00m01s paid VAS outage: notice %v, want required under the 2019 text", notice)
		}
		if got := notice["compensation_notice_due_at"]; got == nil || !kstTime(got.(string)).Equal(kstTime("2022-11-14T19:30:01+09:00")) {
			t.Fatalf("compensation due %v, want 30 days after restoration", got)
		}
		if o["duration_seconds"].(float64) != 4*3600+1 {
			t.Fatalf("duration %v, want 14401", o["duration_seconds"])
		}
		// Per-feature durations: the designated-driver feature came back after 2h.
		durations := map[string]float64{}
		for _, fv := range o["features"].([]any) {
			m := fv.(map[string]any)
			durations[m["code"].(string)] = m["duration_seconds"].(float64)
		}
		if durations["designated"] != 2*3600 || durations["hailing"] != 4*3600+1 {
			t.Fatalf("per-feature durations %v, want designated 7200 and hailing 14401", durations)
		}
		if got := r.header.Get("ETag"); got != `"1"` {
			t.Fatalf("ETag %q, want \"1\"", got)
		}

		// A correction needs a reason, keeps history, and a stale If-Match loses.
		patch := map[string]any{"ended_at": "2022-10-15T19:00:00+09:00"}
		if r := e.call(t, "PATCH", "/api/v1/outages/"+id, patch, bearer(f.operator)...); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("correction without reason: got %d, want 422", r.status)
		}
		patch["reason"] = "복구 시각 정정: 로그 확인 결과 19:00 복구"
		r = e.call(t, "PATCH", "/api/v1/outages/"+id, patch, append(bearer(f.operator), "If-Match", `"1"`)...)
		if r.status != http.StatusOK {
			t.Fatalf("correction: got %d %s, want 200", r.status, r.body)
		}
		c := r.json(t)
		if c["version"].(float64) != 2 || c["notice"].(map[string]any)["exemption"] != "short_unforeseen" {
			t.Fatalf("after shortening to 3h30m: version %v notice %v, want version 2 and exempt short_unforeseen", c["version"], c["notice"])
		}
		revs := c["revisions"].([]any)
		if len(revs) != 1 {
			t.Fatalf("revisions %v, want one", revs)
		}
		rev := revs[0].(map[string]any)
		if rev["reason"] != patch["reason"] || !strings.Contains(fmt.Sprint(rev["before"]), "2022-10-15T10:30:01Z") || !strings.Contains(fmt.Sprint(rev["after"]), "2022-10-15T10:00:00Z") {
			t.Fatalf("revision %v: want reason, before and after", rev)
		}
		if r := e.call(t, "PATCH", "/api/v1/outages/"+id, patch, append(bearer(f.operator), "If-Match", `"1"`)...); r.status != http.StatusPreconditionFailed {
			t.Fatalf("stale If-Match: got %d, want 412", r.status)
		}

		// Public reads need no login.
		if r := e.call(t, "GET", "/api/v1/outages/"+id, nil); r.status != 200 || r.json(t)["version"].(float64) != 2 {
			t.Fatalf("public get: got %d", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/outages/0190d5c1-0000-7000-8000-000000000000", nil); r.status != 404 {
			t.Fatalf("unknown outage: got %d, want 404", r.status)
		}
	})
}

func TestOutageValidation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		future := e.now().Add(2 * time.Hour).Format(time.RFC3339)
		valid := func() map[string]any {
			return map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2024-01-01T10:00:00+09:00",
				"ended_at": "2024-01-01T12:00:00+09:00", "cause": "overload", "summary": "요약"}
		}
		cases := []struct {
			name, key string
			value     any
			field     string
		}{
			{"end before start", "ended_at", "2024-01-01T09:00:00+09:00", "ended_at"},
			{"start in the future", "started_at", future, "started_at"},
			{"unknown feature", "features", []string{"teleport"}, "features"},
			{"no features", "features", []string{}, "features"},
			{"unknown cause", "cause", "aliens", "cause"},
			{"unknown service", "service_id", "nope", "service_id"},
			{"empty summary", "summary", "", "summary"},
			{"before any legal regime", "started_at", "2018-11-24T11:00:00+09:00", "started_at"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := valid()
				body[tc.key] = tc.value
				if tc.key == "started_at" && tc.name == "before any legal regime" {
					body["ended_at"] = "2018-11-25T11:00:00+09:00"
				}
				r := f.create(t, body)
				fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
				if r.status != http.StatusUnprocessableEntity || fields[tc.field] == nil {
					t.Fatalf("got %d %s, want 422 naming %s", r.status, r.body, tc.field)
				}
			})
		}
		list := e.call(t, "GET", "/api/v1/outages", nil).json(t)["outages"].([]any)
		if len(list) != 0 {
			t.Fatalf("rejected inputs stored %d outages, want none", len(list))
		}
		claimant := e.registerAndLogin(t, "c@example.com")
		if r := e.call(t, "POST", "/api/v1/outages", valid(), bearer(claimant.AccessToken)...); r.status != http.StatusForbidden {
			t.Fatalf("claimant recording an outage: got %d, want 403", r.status)
		}
	})
}

func TestOutageListAndImpact(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		login := f.create(t, map[string]any{"service_id": "talk", "features": []string{"login"}, "started_at": "2022-10-15T15:30:00+09:00",
			"ended_at": "2022-10-16T09:00:00+09:00", "cause": "fire", "summary": "화재"}).json(t)
		f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2023-03-01T10:00:00+09:00",
			"ended_at": "2023-03-01T11:00:00+09:00", "cause": "overload", "summary": "과부하"})
		ongoing := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"designated"}, "started_at": e.now().Add(-5 * time.Hour).Format(time.RFC3339),
			"cause": "error", "summary": "진행 중"}).json(t)

		impacted := login["impacted_services"].([]any)
		if len(impacted) != 1 || impacted[0].(map[string]any)["code"] != "exchange" || impacted[0].(map[string]any)["via_feature"] != "talk.login" {
			t.Fatalf("impact of the login outage: got %v, want the exchange via talk.login", impacted)
		}
		if login["notice"].(map[string]any)["exemption"] != "free_service" {
			t.Fatalf("free service in 2022: got %v, want exempt free_service", login["notice"])
		}
		n := ongoing["notice"].(map[string]any)
		if ongoing["ongoing"] != true || n["required"] != true || n["interruption_notice_due_at"] == nil || n["compensation_notice_due_at"] != nil {
			t.Fatalf("open 5h outage: got %v, want required with an interruption due time and no compensation due", n)
		}

		count := func(query string) int {
			r := e.call(t, "GET", "/api/v1/outages"+query, nil)
			if r.status != 200 {
				t.Fatalf("%s: got %d %s", query, r.status, r.body)
			}
			return len(r.json(t)["outages"].([]any))
		}
		for query, want := range map[string]int{"": 3, "?service=taxi": 2, "?service=talk": 1, "?ongoing=true": 1, "?ongoing=false": 2,
			"?from=2023-01-01&to=2023-12-31": 1, "?to=2022-12-31": 1} {
			if got := count(query); got != want {
				t.Errorf("list%s: got %d, want %d", query, got, want)
			}
		}
		for _, bad := range []string{"?ongoing=maybe", "?from=yesterday", "?limit=0", "?limit=501", "?service=nope"} {
			if r := e.call(t, "GET", "/api/v1/outages"+bad, nil); r.status != http.StatusUnprocessableEntity {
				t.Errorf("list%s: got %d, want 422", bad, r.status)
			}
		}
		// Paging with the cursor visits every outage once.
		first := e.call(t, "GET", "/api/v1/outages?limit=2", nil).json(t)
		next := first["next"].(string)
		second := e.call(t, "GET", "/api/v1/outages?limit=2&next="+next, nil).json(t)
		if len(first["outages"].([]any)) != 2 || len(second["outages"].([]any)) != 1 {
			t.Fatalf("paging: got %d then %d, want 2 then 1", len(first["outages"].([]any)), len(second["outages"].([]any)))
		}
		// Eligibility: an exchange user during the login outage qualifies through the dependency.
		r := e.call(t, "GET", "/api/v1/eligibility?service=exchange&role=user&at=2022-10-15T18:00:00%2B09:00", nil)
		if got := r.json(t)["outages"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != login["id"] {
			t.Fatalf("eligibility for the exchange: got %v, want the login outage", got)
		}
		if r := e.call(t, "GET", "/api/v1/eligibility?service=exchange&role=user&at=2022-10-17T18:00:00%2B09:00", nil); len(r.json(t)["outages"].([]any)) != 0 {
			t.Fatalf("eligibility after restoration: got %s, want none", r.body)
		}
	})
}

func TestNoticesAndDrafts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOutageFixture(t, e)
		o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2024-05-01T09:00:00+09:00",
			"ended_at": "2024-05-01T15:00:00+09:00", "cause": "equipment_fault", "summary": "호출 서버 장비 고장"}).json(t)
		id := o["id"].(string)
		overdue := o["notice"].(map[string]any)["overdue"].([]any)
		if len(overdue) != 2 {
			t.Fatalf("overdue %v, want both notices overdue long after the deadlines", overdue)
		}
		d := e.call(t, "GET", "/api/v1/outages/"+id+"/notice-draft?kind=interruption", nil, bearer(f.operator)...).json(t)
		for _, part := range []string{"중단 사실", "원인", "대응 현황", "문의처", "고객센터 1577-0000", "설비 장애"} {
			if !strings.Contains(d["ko"].(string), part) {
				t.Errorf("interruption draft lacks %q:\n%s", part, d["ko"])
			}
		}
		for _, part := range []string{"What happened", "Cause", "Response", "Contact"} {
			if !strings.Contains(d["en"].(string), part) {
				t.Errorf("English interruption draft lacks %q", part)
			}
		}
		d = e.call(t, "GET", "/api/v1/outages/"+id+"/notice-draft?kind=compensation", nil, bearer(f.operator)...).json(t)
		for _, part := range []string{"청구 대상", "배상 기준", "청구 절차와 방법", "청구 기한", "2024-07-30 15:00 KST", "https://bosang.example"} {
			if !strings.Contains(d["ko"].(string), part) {
				t.Errorf("compensation draft lacks %q:\n%s", part, d["ko"])
			}
		}
		if r := e.call(t, "GET", "/api/v1/outages/"+id+"/notice-draft?kind=poem", nil, bearer(f.operator)...); r.status != 422 {
			t.Errorf("unknown draft kind: got %d, want 422", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/outages/"+id+"/notice-draft?kind=interruption", nil); r.status != 401 {
			t.Errorf("anonymous draft: got %d, want 401", r.status)
		}

		bad := e.call(t, "POST", "/api/v1/outages/"+id+"/notices", map[string]any{"kind": "interruption", "channels": []string{"pigeon"}, "sent_at": "2024-05-01T16:00:00+09:00", "body": "x"}, bearer(f.operator)...)
		if bad.status != 422 {
			t.Fatalf("unknown channel: got %d, want 422", bad.status)
		}
		r := e.call(t, "POST", "/api/v1/outages/"+id+"/notices", map[string]any{"kind": "interruption", "channels": []string{"sms", "app"},
			"sent_at": "2024-05-01T16:00:00+09:00", "body": d["ko"]}, bearer(f.operator)...)
		if r.status != http.StatusCreated {
			t.Fatalf("record notice: got %d %s", r.status, r.body)
		}
		n := r.json(t)["notice"].(map[string]any)
		if got := n["overdue"].([]any); len(got) != 1 || got[0] != "compensation" {
			t.Fatalf("after recording the interruption notice: overdue %v, want only compensation", got)
		}
		if got := n["notices"].([]any); len(got) != 1 {
			t.Fatalf("notices %v, want the one recorded", got)
		}
	})
}

func TestCreateServiceReportsDependencies(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		newOutageFixture(t, e)
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "adm@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		admin := e.login(t, "adm@example.com", testPassword)
		r := e.call(t, "POST", "/api/v1/services", map[string]any{"code": "webtoon", "name": "웹툰", "paid": true,
			"provider": map[string]any{"name": "웹툰사", "kind": "value_added", "prior_year_revenue_krw": 1, "avg_daily_users": 1},
			"features": []map[string]string{{"code": "viewer", "name": "뷰어"}}, "depends_on": []string{"talk.login"}}, bearer(admin.AccessToken)...)
		if r.status != http.StatusCreated {
			t.Fatalf("create service: got %d %s", r.status, r.body)
		}
		got := r.json(t)
		if fmt.Sprint(got["depends_on"]) != "[talk]" || fmt.Sprint(got["depends_on_features"]) != "[talk.login]" {
			t.Fatalf("created service depends on %v / %v, want [talk] / [talk.login]", got["depends_on"], got["depends_on_features"])
		}
	})
}
