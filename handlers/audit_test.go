package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// testAuditKey derives the audit chain's key from a test secret.
func testAuditKey(t *testing.T, secret []byte) audit.Key {
	t.Helper()
	k, err := audit.NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newAuditEnv serves the router with only what the audit routes need.
func newAuditEnv(t *testing.T, db *store.DB) (*testEnv, *audit.Service) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	clock := newTestClock()
	dbtest.SetClock(t, db, clock.now)
	svc, app := newTestAuth(t, db, key, clock.now)
	au := audit.NewService(db.Audit(), testAuditKey(t, key), clock.now, newID).
		ExportTo(audit.NewFileLog(filepath.Join(t.TempDir(), "audit", "checkpoints.jsonl")))
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Deps{Auth: svc, Audit: au, Catalog: cat, Ready: db.Ready, CSRFKey: key,
		Logger: slog.New(slog.DiscardHandler), RefreshTTL: 24 * time.Hour, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{srv: srv, db: db, auth: svc, app: app, clock: clock, now: clock.now}, au
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
		// Five: the two staff accounts' creation (audited) and three views.
		if r.status != http.StatusOK || v["ok"] != true || v["entries"] != float64(5) || v["first_broken"] != nil || v["unsealed"] != float64(0) {
			t.Errorf("verify: got %d %s, want ok with 5 entries", r.status, r.body)
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

// TestAuditAPIComparesExportedCheckpoints: GET /api/v1/audit/verify
// compares the database's checkpoints with the signed ones exported off the
// database, so it reports checkpoints wiped from, or rewritten in, the
// database along with the truncation they were meant to hide.
func TestAuditAPIComparesExportedCheckpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, au := newAuditEnv(t, db)
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "supervisor@example.com", Password: testPassword, Name: "감독", Role: "supervisor"}); err != nil {
			t.Fatal(err)
		}
		sup := bearer(e.login(t, "supervisor@example.com", testPassword).AccessToken)
		for i := range 6 {
			if _, err := au.Append(ctx, nil, audit.Record{Action: "claim.view", Entity: "claim", EntityID: "c1", Details: map[string]int{"i": i}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := au.Seal(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := au.Export(ctx); err != nil || n != 1 {
			t.Fatalf("export: got %d, %v; want 1", n, err)
		}
		if v := newContract(t, e).exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/audit/verify", nil, sup...).json(t); v["ok"] != true || v["exported_checkpoints"] != float64(1) {
			t.Fatalf("before: got %v, want ok with 1 exported checkpoint compared", v)
		}
		sqlDB, _ := db.SQL()
		stmts := []string{"ALTER TABLE audit_entries DISABLE TRIGGER USER", "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"}
		if db.Dialect() == store.SQLite {
			stmts = []string{"DROP TRIGGER audit_entries_no_delete", "DROP TRIGGER audit_checkpoints_no_delete"}
		}
		for _, q := range append(stmts, "DELETE FROM audit_entries WHERE chain_pos > 4", "DELETE FROM audit_checkpoints") {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// The contract validates the broken report against the document.
		r := newContract(t, e).exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/audit/verify", nil, sup...)
		var v struct {
			OK          bool `json:"ok"`
			FirstBroken *struct {
				ChainPos int64  `json:"chain_pos"`
				Reason   string `json:"reason"`
			} `json:"first_broken"`
			BrokenCheckpoints []struct {
				ChainPos int64  `json:"chain_pos"`
				Reason   string `json:"reason"`
			} `json:"broken_checkpoints"`
		}
		if err := json.Unmarshal(r.body, &v); err != nil || r.status != http.StatusOK {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		if v.OK || v.FirstBroken == nil || v.FirstBroken.ChainPos != 5 || !strings.HasPrefix(v.FirstBroken.Reason, "truncated") {
			t.Errorf("verify after the wipe: got %s, want ok false, truncated at 5", r.body)
		}
		// The checkpoint is at 7: the supervisor's creation (audited) and six views.
		if len(v.BrokenCheckpoints) != 1 || v.BrokenCheckpoints[0].ChainPos != 7 || !strings.HasPrefix(v.BrokenCheckpoints[0].Reason, "wiped") {
			t.Errorf("broken checkpoints: got %s, want the checkpoint at 7 reported wiped", r.body)
		}
	})
}
