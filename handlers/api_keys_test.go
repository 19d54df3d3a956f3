package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// newProvider stores a provider for keys to be scoped to.
func newProvider(t *testing.T, e *identityEnv) string {
	t.Helper()
	p := &models.Provider{ID: uuid.NewString(), Name: "카카오모빌리티", Kind: "value_added", CreatedAt: e.now().UTC()}
	if err := e.db.Outages().CreateProvider(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestPartnerAPIKeys: an admin issues a key (shown once, only its SHA-256
// stored), lists keys without it, and revokes it; the key authenticates a
// partner on routes open to partners, is refused (403) on routes for
// people and staff, and gets 401 once revoked; only admins manage keys.
func TestPartnerAPIKeys(t *testing.T) {
	eachIdentityEnv(t, func(t *testing.T, e *identityEnv) {
		k := newContract(t, e.testEnv)
		provider := newProvider(t, e)
		_, adminPair := e.newStaff(t, "admin@example.com", "admin")
		admin := bearer(adminPair.AccessToken)
		_, supPair := e.newStaff(t, "sup@example.com", "supervisor")
		k.exchange(t, e.testEnv, 403, reqValid, "POST", "/api/v1/admin/api-keys", map[string]string{"name": "x", "provider": provider}, bearer(supPair.AccessToken)...)
		k.exchange(t, e.testEnv, 422, reqInvalid, "POST", "/api/v1/admin/api-keys", map[string]string{"name": "", "provider": uuid.NewString()}, admin...)

		issued := k.exchange(t, e.testEnv, 201, reqValid, "POST", "/api/v1/admin/api-keys", map[string]string{"name": "정산 연동", "provider": provider}, admin...)
		var got struct {
			ID     string `json:"id"`
			Key    string `json:"key"`
			APIKey struct {
				Prefix string `json:"prefix"`
			} `json:"api_key"`
		}
		if err := json.Unmarshal(issued.body, &got); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.Key, "bsk_") || !strings.HasPrefix(got.Key, got.APIKey.Prefix) || issued.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("issued %q (prefix %q, Cache-Control %q): want a bsk_ key, not cached", got.Key, got.APIKey.Prefix, issued.header.Get("Cache-Control"))
		}
		list := k.exchange(t, e.testEnv, 200, reqValid, "GET", "/api/v1/admin/api-keys", nil, admin...)
		secret := got.Key[len("bsk_"):]
		if strings.Contains(string(list.body), secret[8:]) || !strings.Contains(string(list.body), got.APIKey.Prefix) {
			t.Fatalf("the list shows the key or not its prefix: %s", list.body)
		}
		var stored int64
		if err := countRows(e.db, "api_keys WHERE key_hash NOT LIKE '%"+secret[8:20]+"%' AND length(key_hash) = 64", &stored); err != nil || stored != 1 {
			t.Fatalf("stored keys kept as a hash: %d (%v), want 1", stored, err)
		}

		partner := bearer(got.Key)
		if r := e.call(t, "GET", "/api/v1/outages", nil, partner...); r.status != http.StatusOK {
			t.Fatalf("a public route with the key: got %d %s, want 200", r.status, r.body)
		}
		for _, route := range [][2]string{{"GET", "/api/v1/me"}, {"GET", "/api/v1/admin/users"}, {"GET", "/api/v1/review/queue"}, {"GET", "/api/v1/admin/api-keys"}} {
			if r := e.call(t, route[0], route[1], nil, partner...); r.status != http.StatusForbidden {
				t.Errorf("%s %s with a partner key: got %d, want 403", route[0], route[1], r.status)
			}
		}
		if r := e.call(t, "GET", "/api/v1/outages", nil, bearer("bsk_"+strings.Repeat("x", 43))...); r.status != http.StatusUnauthorized {
			t.Fatalf("an unknown key: got %d, want 401", r.status)
		}
		if !strings.Contains(e.logs.String(), `"msg":"partner_request","api_key_id":"`+got.ID+`"`) {
			t.Fatal("partner requests are not in the log with their key")
		}

		k.exchange(t, e.testEnv, 404, reqValid, "DELETE", "/api/v1/admin/api-keys/"+uuid.NewString(), nil, admin...)
		revoked := k.exchange(t, e.testEnv, 200, reqValid, "DELETE", "/api/v1/admin/api-keys/"+got.ID, nil, admin...)
		if !strings.Contains(string(revoked.body), `"revoked_at":"`) {
			t.Fatalf("revoke: %s", revoked.body)
		}
		if r := e.call(t, "GET", "/api/v1/outages", nil, partner...); r.status != http.StatusUnauthorized {
			t.Fatalf("a revoked key: got %d, want 401", r.status)
		}
		trail := e.call(t, "GET", "/api/v1/audit?entity=api_key", nil, admin...)
		if !strings.Contains(string(trail.body), `"api_key.issue"`) || !strings.Contains(string(trail.body), `"api_key.revoke"`) {
			t.Fatalf("audit trail of keys: %s", trail.body)
		}
	})
}

// TestPartnerKeyRateLimit: a key over its rate gets 429 with Retry-After,
// another key is not slowed by it.
func TestPartnerKeyRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newIdentityEnv(t, db, handlers.RateLimit{PerSecond: 0.001, Burst: 2, Clients: 10})
		provider := newProvider(t, e)
		_, adminPair := e.newStaff(t, "admin@example.com", "admin")
		keys := make([]string, 2)
		for i := range keys {
			r := e.call(t, "POST", "/api/v1/admin/api-keys", map[string]string{"name": "k", "provider": provider}, bearer(adminPair.AccessToken)...)
			var got struct{ Key string }
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			keys[i] = got.Key
		}
		for i := range 2 {
			if r := e.call(t, "GET", "/api/v1/outages", nil, bearer(keys[0])...); r.status != http.StatusOK {
				t.Fatalf("request %d within the burst: got %d", i+1, r.status)
			}
		}
		r := e.call(t, "GET", "/api/v1/outages", nil, bearer(keys[0])...)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("over the burst: got %d (Retry-After %q), want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
		}
		if r := e.call(t, "GET", "/api/v1/outages", nil, bearer(keys[1])...); r.status != http.StatusOK {
			t.Fatalf("another key: got %d, want 200", r.status)
		}
	})
}

// TestPartnerAPIKeysPage: an admin issues a key on the page (shown once,
// not cached), sees it listed by its first characters, and revokes it;
// other staff cannot open the page.
func TestPartnerAPIKeysPage(t *testing.T) {
	eachIdentityEnv(t, func(t *testing.T, e *identityEnv) {
		provider := newProvider(t, e)
		e.newStaff(t, "admin@example.com", "admin")
		e.newStaff(t, "sup@example.com", "supervisor")
		sup := e.browser(t)
		e.loginForm(t, sup, "sup@example.com")
		if p := getPage(t, e.testEnv, sup, "/admin/api-keys", ""); p.status != http.StatusForbidden {
			t.Fatalf("a supervisor on the keys page: got %d, want 403", p.status)
		}
		b := e.browser(t)
		e.loginForm(t, b, "admin@example.com")
		tok := formToken(t, b, e.srv.URL+"/admin/api-keys")
		bad := postPage(t, e.testEnv, b, "/admin/api-keys", url.Values{"csrf_token": {tok}, "name": {""}, "provider": {""}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) || !strings.Contains(bad.body, `id="provider-error"`) {
			t.Fatalf("an empty form: got %d, want 422 with both fields' errors", bad.status)
		}
		p := postPage(t, e.testEnv, b, "/admin/api-keys", url.Values{"csrf_token": {tok}, "name": {"정산 연동"}, "provider": {provider}})
		key := regexp.MustCompile(`<code id="issued-key">(bsk_[A-Za-z0-9_-]{43})</code>`).FindStringSubmatch(p.body)
		if p.status != http.StatusCreated || key == nil || !strings.Contains(p.body, "<th scope=\"row\">정산 연동</th>") {
			t.Fatalf("issue: got %d, want 201 with the key shown and listed", p.status)
		}
		list := getPage(t, e.testEnv, b, "/admin/api-keys", "")
		if strings.Contains(list.body, key[1]) || !strings.Contains(list.body, "<code>"+key[1][:12]+"…</code>") {
			t.Fatal("the list shows the key again, or not its first characters")
		}
		id := regexp.MustCompile(`action="/admin/api-keys/([0-9a-f-]{36})/revoke"`).FindStringSubmatch(list.body)
		if id == nil {
			t.Fatal("no revoke form")
		}
		if r := postPage(t, e.testEnv, b, "/admin/api-keys/"+id[1]+"/revoke", url.Values{"csrf_token": {tok}}); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: got %d, want 303", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/outages", nil, bearer(key[1])...); r.status != http.StatusUnauthorized {
			t.Fatalf("the revoked key: got %d, want 401", r.status)
		}
	})
}
