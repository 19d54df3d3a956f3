package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestJSONTrailingData: a JSON body is one value and nothing else. Data
// after it ("{...}xyz") or a second object is 400 on every JSON endpoint;
// white space after it is fine.
func TestJSONTrailingData(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2022-10-15T15:30:00+09:00",
			"ended_at": "2022-10-15T19:30:01+09:00", "cause": "fire", "summary": "서버 장애"})
		outageID, etag := o.json(t)["id"].(string), o.header.Get("ETag")
		mustJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		cases := []struct {
			name, method, path, body, token string
			ok                              int // the status of the body alone
			headers                         []string
		}{
			{"register", "POST", "/api/v1/auth/register", mustJSON(map[string]string{"email": "trail@example.com", "password": testPassword, "name": "김", "phone": "010-1234-5678"}), "", 201, nil},
			{"login", "POST", "/api/v1/auth/login", mustJSON(map[string]string{"email": "alice@example.com", "password": testPassword}), "", 200, nil},
			{"profiles", "PUT", "/api/v1/me/profiles/paid_subscriber", `{"service_id":"taxi","monthly_fee_krw":9900}`, f.alice, 200, nil},
			{"outages", "POST", "/api/v1/outages", mustJSON(map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2022-10-16T15:30:00+09:00",
				"ended_at": "2022-10-16T19:30:01+09:00", "cause": "fire", "summary": "다른 장애"}), f.operator, 201, nil},
			{"PATCH outages", "PATCH", "/api/v1/outages/" + outageID, `{"summary":"정정된 요약","reason":"오타"}`, f.operator, 200, []string{"If-Match", etag}},
			{"claims", "POST", "/api/v1/claims", mustJSON(f.claimBody("driver", 0)), f.alice, 201, []string{"Idempotency-Key", "trail"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				send := func(body string, key string) response {
					h := append([]string{}, tc.headers...)
					if tc.token != "" {
						h = append(h, bearer(tc.token)...)
					}
					if key != "" {
						h = append(h, "Idempotency-Key", key)
					}
					return e.call(t, tc.method, tc.path, body, h...)
				}
				for _, bad := range []struct{ what, body string }{
					{"junk after the object", tc.body + "xyz"},
					{"a second object", tc.body + tc.body},
					{"a second object after a newline", tc.body + "\n" + tc.body},
				} {
					if r := send(bad.body, "k-"+bad.what); r.status != http.StatusBadRequest || r.errorCode(t) != "malformed_request" {
						t.Errorf("%s: got %d %.200s, want 400 malformed_request", bad.what, r.status, r.body)
					}
				}
				if r := send(tc.body+" \r\n\t", ""); r.status != tc.ok {
					t.Errorf("the body with trailing white space: got %d %.300s, want %d", r.status, r.body, tc.ok)
				}
			})
		}
	})
}

// TestProfileFields: a profile's service_id names a service of the
// catalogue (a paid one for a subscription), and every name a profile
// holds is bounded: 100,000 characters are a 422 naming the field.
func TestProfileFields(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		put := func(kind string, body map[string]any) response {
			return e.call(t, "PUT", "/api/v1/me/profiles/"+kind, body, bearer(f.alice)...)
		}
		fieldsOf := func(r response) map[string]any {
			fs, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
			return fs
		}
		catalog, err := e.outages.Catalog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var taxiID string
		for _, c := range catalog {
			if c.Service.Code == "taxi" {
				taxiID = c.Service.ID
			}
		}
		for _, tc := range []struct {
			name, kind string
			body       map[string]any
			want       string // "" is 200, else the field of a 422
		}{
			{"subscription to a service not in the catalogue", "paid_subscriber", map[string]any{"service_id": "netflix", "monthly_fee_krw": 9900}, "service_id"},
			{"subscription to a free service", "paid_subscriber", map[string]any{"service_id": "talk", "monthly_fee_krw": 9900}, "service_id"},
			{"subscription with a NUL service", "paid_subscriber", map[string]any{"service_id": "taxi\x00", "monthly_fee_krw": 9900}, "service_id"},
			{"subscription to a paid service by code", "paid_subscriber", map[string]any{"service_id": "taxi", "monthly_fee_krw": 9900}, ""},
			{"subscription to a paid service by id", "paid_subscriber", map[string]any{"service_id": taxiID, "monthly_fee_krw": 9900}, ""},
			{"partner of a service not in the catalogue", "partner_business", map[string]any{"company": "파트너", "service_id": "nope"}, "service_id"},
			{"partner of a free service", "partner_business", map[string]any{"company": "파트너", "service_id": "talk"}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := put(tc.kind, tc.body)
				if tc.want == "" {
					if r.status != http.StatusOK {
						t.Fatalf("got %d %s, want 200", r.status, r.body)
					}
					stored := r.json(t)["profiles"].(map[string]any)[tc.kind].(map[string]any)["service_id"]
					if stored != tc.body["service_id"] && stored != "taxi" && stored != "talk" {
						t.Fatalf("stored service_id %v, want the service's code", stored)
					}
					return
				}
				if r.status != http.StatusUnprocessableEntity || fieldsOf(r)[tc.want] == nil {
					t.Fatalf("got %d %s, want 422 naming %s", r.status, r.body, tc.want)
				}
			})
		}
		t.Run("a service given by id is stored as its code", func(t *testing.T) {
			r := put("paid_subscriber", map[string]any{"service_id": taxiID, "monthly_fee_krw": 9900})
			if got := r.json(t)["profiles"].(map[string]any)["paid_subscriber"].(map[string]any)["service_id"]; got != "taxi" {
				t.Fatalf("got %v, want taxi", got)
			}
		})
		long := strings.Repeat("가", 100_000)
		for _, tc := range []struct {
			kind   string
			body   map[string]any
			fields []string
		}{
			{"merchant", map[string]any{"business_number": "1234500003", "business_name": long, "business_type": long,
				"opening_hours": map[string][]string{"mon": {"09:00", "21:00"}}}, []string{"business_name", "business_type"}},
			{"driver", map[string]any{"driver_kind": "designated", "vehicle_number": long, "membership": map[string]any{"name": long, "monthly_fee_krw": 0}},
				[]string{"vehicle_number", "membership.name"}},
			{"partner_business", map[string]any{"company": long, "service_id": "taxi"}, []string{"company"}},
		} {
			t.Run("100,000-character names in a "+tc.kind+" profile", func(t *testing.T) {
				r := put(tc.kind, tc.body)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("got %d %.300s, want 422", r.status, r.body)
				}
				for _, name := range tc.fields {
					if fieldsOf(r)[name] == nil {
						t.Errorf("got fields %v, want one on %s", fieldsOf(r), name)
					}
				}
			})
		}
	})
}
