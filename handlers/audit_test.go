package handlers_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// newAuditEnv serves the router with only what the audit routes need.
func newAuditEnv(t *testing.T, db *store.DB) (*testEnv, *audit.Service) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	svc := auth.NewService(db, auth.NewSigner(key, 15*time.Minute, time.Now), 24*time.Hour, auth.DefaultThrottle, time.Now, newID)
	au := audit.NewService(db.Audit(), time.Now, newID)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Deps{Auth: svc, Audit: au, Catalog: cat, Ready: db.Ready, CSRFKey: key,
		Logger: slog.New(slog.DiscardHandler), RefreshTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{srv: srv, db: db, auth: svc}, au
}

func TestAuditAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, au := newAuditEnv(t, db)
		for _, role := range []string{"supervisor", "reviewer"} {
			if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: role + "@example.com", Password: testPassword, Name: role, Role: role}); err != nil {
				t.Fatal(err)
			}
		}
		sup := bearer(e.login(t, "supervisor@example.com", testPassword).AccessToken)
		rev := bearer(e.login(t, "reviewer@example.com", testPassword).AccessToken)
		for i := range 3 {
			if _, err := au.Append(ctx, nil, audit.Record{Action: "claim.view", Entity: "claim", EntityID: "c1", Details: map[string]int{"i": i}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := au.Seal(ctx, 0); err != nil {
			t.Fatal(err)
		}

		if r := e.call(t, "GET", "/api/v1/audit/verify", nil, rev...); r.status != http.StatusForbidden {
			t.Errorf("reviewer verify: got %d, want 403", r.status)
		}
		if r := e.call(t, "GET", "/api/v1/audit", nil); r.status != http.StatusUnauthorized {
			t.Errorf("anonymous list: got %d, want 401", r.status)
		}
		r := e.call(t, "GET", "/api/v1/audit/verify", nil, sup...)
		v := r.json(t)
		if r.status != http.StatusOK || v["ok"] != true || v["entries"] != float64(3) || v["first_broken"] != nil || v["unsealed"] != float64(0) {
			t.Errorf("verify: got %d %s, want ok with 3 entries", r.status, r.body)
		}
		r = e.call(t, "GET", "/api/v1/audit?entity=claim&id=c1&limit=2", nil, sup...)
		page := r.json(t)
		if list, _ := page["entries"].([]any); r.status != http.StatusOK || len(list) != 2 || page["next"] == nil {
			t.Fatalf("list: got %d %s, want 2 entries and a next cursor", r.status, r.body)
		}
		if !strings.Contains(string(r.body), `"details":{"i":2}`) {
			t.Errorf("list: details not rendered as JSON, newest first: %s", r.body)
		}
		r = e.call(t, "GET", "/api/v1/audit?entity=claim&id=c1&limit=2&next="+page["next"].(string), nil, sup...)
		if list, _ := r.json(t)["entries"].([]any); len(list) != 1 || r.json(t)["next"] != nil {
			t.Errorf("second page: got %s, want 1 entry and no cursor", r.body)
		}
		if r := e.call(t, "GET", "/api/v1/audit?limit=0", nil, sup...); r.status != http.StatusUnprocessableEntity {
			t.Errorf("limit=0: got %d, want 422", r.status)
		}
	})
}
