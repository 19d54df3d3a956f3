package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func hasHangul(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0
}

// TestNULAndMalformedIDs: text with a NUL byte, invalid UTF-8 or other
// control characters, and ids that are not UUIDs, answer 422 naming the
// field in Korean and in English, on both databases alike. On PostgreSQL
// each of these was a 500 (SQLSTATE 22021 or 22P02), one of them without
// logging in.
func TestNULAndMalformedIDs(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		claimWith := func(edit func(map[string]any)) map[string]any {
			b := f.claimBody("driver", 0)
			edit(b)
			return b
		}
		outage := func(edit func(map[string]any)) map[string]any {
			b := map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2022-10-15T15:30:00+09:00",
				"ended_at": "2022-10-15T19:30:01+09:00", "cause": "fire", "summary": "서버 장애", "regions": []string{"서울"}}
			edit(b)
			return b
		}
		cases := []struct {
			name, method, path string
			body               any
			token              string // "" is anonymous
			field              string
		}{
			{"anonymous login with a NUL in the e-mail", "POST", "/api/v1/auth/login", map[string]string{"email": "a\x00@example.com", "password": testPassword}, "", "email"},
			{"login with an escape sequence in the e-mail", "POST", "/api/v1/auth/login", map[string]string{"email": "a\x1b[2J@example.com", "password": testPassword}, "", "email"},
			{"register with a NUL in the name", "POST", "/api/v1/auth/register", map[string]string{"email": "new@example.com", "password": testPassword, "name": "홍\x00길동", "phone": "010-1234-5678"}, "", "name"},
			{"register with a newline in the name", "POST", "/api/v1/auth/register", map[string]string{"email": "new@example.com", "password": testPassword, "name": "홍\n길동", "phone": "010-1234-5678"}, "", "name"},
			{"claim with a NUL in the description", "POST", "/api/v1/claims", claimWith(func(b map[string]any) { b["description"] = "호출\x00불가" }), f.alice, "description"},
			{"claim with a NUL in the account holder", "POST", "/api/v1/claims", claimWith(func(b map[string]any) {
				b["payout_account"] = map[string]string{"bank": "004", "number": testAccount, "holder": "앨\x00리스"}
			}), f.alice, "payout_account.holder"},
			{"outage with a NUL in the summary", "POST", "/api/v1/outages", outage(func(b map[string]any) { b["summary"] = "서버\x00장애" }), f.operator, "summary"},
			{"outage with a NUL in a region", "POST", "/api/v1/outages", outage(func(b map[string]any) { b["regions"] = []string{"서울", "경\x00기"} }), f.operator, "regions"},
			{"claims by an outage id that is not a UUID", "GET", "/api/v1/claims?outage_id=abc", nil, f.alice, "outage_id"},
			{"staff claims by an outage id that is not a UUID", "GET", "/api/v1/claims?outage_id=abc", nil, f.reviewer, "outage_id"},
			{"claims by a NUL status", "GET", "/api/v1/claims?status=%00", nil, f.reviewer, "status"},
			{"claims by a NUL search", "GET", "/api/v1/claims?q=%00", nil, f.reviewer, "q"},
			{"claims by a search of invalid UTF-8", "GET", "/api/v1/claims?q=%FF", nil, f.reviewer, "q"},
			{"claims by a NUL category", "GET", "/api/v1/claims?category=%00", nil, f.reviewer, "category"},
			{"review queue by an outage id that is not a UUID", "GET", "/api/v1/review/queue?outage_id=abc", nil, f.reviewer, "outage_id"},
			{"review queue by a NUL status", "GET", "/api/v1/review/queue?status=%00", nil, f.reviewer, "status"},
			{"review queue by a NUL category", "GET", "/api/v1/review/queue?category=%00", nil, f.reviewer, "category"},
			{"review queue by a NUL flag", "GET", "/api/v1/review/queue?flag=%00", nil, f.reviewer, "flag"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, lang := range []string{"ko", "en"} {
					h := []string{"Accept-Language", lang, "Idempotency-Key", "k-" + lang + "-" + tc.name}
					if tc.token != "" {
						h = append(h, bearer(tc.token)...)
					}
					r := e.call(t, tc.method, tc.path, tc.body, h...)
					if r.status != http.StatusUnprocessableEntity {
						t.Fatalf("%s: got %d %s, want 422", lang, r.status, r.body)
					}
					fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
					msg, _ := fields[tc.field].(string)
					if msg == "" || hasHangul(msg) != (lang == "ko") {
						t.Fatalf("%s: got fields %v, want a %s message on %q", lang, fields, lang, tc.field)
					}
				}
			})
		}
		t.Run("correcting an outage with a NUL in the reason", func(t *testing.T) {
			o := f.create(t, outage(func(map[string]any) {}))
			if o.status != http.StatusCreated {
				t.Fatalf("create: %d %s", o.status, o.body)
			}
			r := e.call(t, "PATCH", "/api/v1/outages/"+o.json(t)["id"].(string), map[string]any{"summary": "요약\x00", "reason": "정정\x00"},
				append(bearer(f.operator), "If-Match", o.header.Get("ETag"))...)
			fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
			if r.status != http.StatusUnprocessableEntity || fields["reason"] == nil {
				t.Fatalf("got %d %s, want 422 naming reason", r.status, r.body)
			}
		})
		t.Run("the register and login forms", func(t *testing.T) {
			b := e.browser(t)
			tok := formToken(t, b, e.srv.URL+"/register")
			p := postPage(t, e, b, "/register", url.Values{"csrf_token": {tok}, "email": {"form@example.com"}, "password": {testPassword}, "name": {"홍\x00길동"}, "phone": {"010-2222-3333"}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "제어 문자") {
				t.Errorf("register form: got %d, want 422 explaining the name", p.status)
			}
			tok = formToken(t, b, e.srv.URL+"/login")
			p = postPage(t, e, b, "/login", url.Values{"csrf_token": {tok}, "email": {"a\x00@example.com"}, "password": {testPassword}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "제어 문자") {
				t.Errorf("login form: got %d, want 422 explaining the e-mail", p.status)
			}
		})
	})
}
