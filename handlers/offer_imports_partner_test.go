package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestPartnerKeyImports: a partner system's key, scoped to the outage's
// provider, posts the affected accounts, follows its import and fetches
// the credit file, and the import records the key as its author; the key
// of another provider finds neither the outage nor the import (404), and
// a partner key cannot read the staff list of offers (403).
func TestPartnerKeyImports(t *testing.T) {
	eachIdentityEnv(t, func(t *testing.T, e *identityEnv) {
		f := newImportFixture(t, e.testEnv)
		sqlDB, err := e.db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		var provider string
		if err := sqlDB.QueryRowContext(context.Background(), "SELECT s.provider_id FROM outages o JOIN services s ON s.id = o.service_id WHERE o.id = $1",
			f.kakaoT).Scan(&provider); err != nil {
			t.Fatal(err)
		}
		_, adminPair := e.newStaff(t, "keys-admin@example.com", "admin")
		issue := func(provider string) []string {
			r := e.call(t, "POST", "/api/v1/admin/api-keys", map[string]string{"name": "billing", "provider": provider}, bearer(adminPair.AccessToken)...)
			if r.status != http.StatusCreated {
				t.Fatalf("issue key: %d %s", r.status, r.body)
			}
			return bearer(r.json(t)["key"].(string))
		}
		own, other := issue(provider), issue(newProvider(t, e))

		post := func(key []string) response {
			return e.call(t, "POST", "/api/v1/outages/"+f.kakaoT+"/affected", mixedAccounts, append(key, "Content-Type", "text/csv")...)
		}
		if r := post(other); r.status != http.StatusNotFound {
			t.Fatalf("another provider's key posting accounts: got %d %s, want 404", r.status, r.body)
		}
		r := post(own)
		if r.status != http.StatusAccepted {
			t.Fatalf("the provider's key posting accounts: got %d %s, want 202", r.status, r.body)
		}
		id := r.json(t)["import_id"].(string)
		var byKey bool
		if err := sqlDB.QueryRowContext(context.Background(), "SELECT api_key_id IS NOT NULL AND created_by IS NULL FROM offer_imports WHERE id = $1", id).Scan(&byKey); err != nil || !byKey {
			t.Fatalf("the import's author: key %v (%v), want the key and no user", byKey, err)
		}
		runImports(t, e.testEnv, e.offers)
		if r := e.call(t, "GET", "/api/v1/imports/"+id, nil, other...); r.status != http.StatusNotFound {
			t.Fatalf("another provider's key reading the import: got %d, want 404", r.status)
		}
		v := e.call(t, "GET", "/api/v1/imports/"+id, nil, own...)
		if v.status != http.StatusOK || v.json(t)["status"] != "done" || v.json(t)["offers_created"].(float64) != 3 {
			t.Fatalf("the provider's key reading the import: %d %s", v.status, v.body)
		}
		credits := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/credits.csv?reason=billing+run", nil, own...)
		if credits.status != http.StatusOK || !bytes.Contains(credits.body, []byte("FREE-1,free_user")) {
			t.Fatalf("the credit file by key: %d %s", credits.status, credits.body)
		}
		if r := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/credits.csv?reason=x", nil, other...); r.status != http.StatusNotFound {
			t.Fatalf("another provider's key fetching the credit file: got %d, want 404", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/offers", nil, own...); r.status != http.StatusForbidden || strings.Contains(string(r.body), "FREE-1") {
			t.Fatalf("a partner key reading the staff list: got %d, want 403", r.status)
		}
	})
}
