package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/statute"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// testEnv is the real router over a real store, served on loopback.
type testEnv struct {
	srv     *httptest.Server
	db      *store.DB
	auth    *auth.Service
	outages *outage.Service
	claims  *claims.Service
	review  *review.Service
	audit   *audit.Service
	payouts *payout.Service
	stats   *stats.Service
	offers  *offers.Service
	sealer  *pii.Sealer
	jwtKey  []byte
	// app is the staff's authenticator app and the auth service's clock.
	app     *authenticator
	logs    *bytes.Buffer
	blobDir string // where evidence files are stored
	// handler is the router srv serves, for requests that must come from a
	// chosen peer address (httptest.NewRequest with RemoteAddr).
	handler http.Handler
	// clock is the business clock of the domain services, the store and
	// the router (not the auth service's, which is app's); now reads it.
	// Tests read dates off it, never off the wall clock, so the server and
	// the test agree on "today", and advance it to let time pass.
	clock *testClock
	now   func() time.Time
}

func newTestEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	return newTestEnvWith(t, db, nil)
}

// newTestEnvWith is newTestEnv with the router's Deps changed by adjust.
func newTestEnvWith(t *testing.T, db *store.DB, adjust func(*handlers.Deps)) *testEnv {
	t.Helper()
	clock := newTestClock()
	now := clock.now
	dbtest.SetClock(t, db, now)
	key := make([]byte, 32)
	rand.Read(key)
	svc, app := newTestAuth(t, db, key, now)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	outages := outage.NewService(db.Outages(), statute.DefaultSettings(), now, func() string { return uuid.Must(uuid.NewV7()).String() })
	sealer, _ := pii.NewSealer(key)
	outages.SetSealer(sealer)
	blobDir := t.TempDir()
	blobs, err := blob.NewDisk(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	// Evidence is encrypted on its way to disk, as cmd/bosang wires it.
	cl := claims.NewService(db.Claims(), outages, sealer, blob.NewEncrypted(blobs, sealer), claims.DefaultEvidenceLimits, now, func() string { return uuid.Must(uuid.NewV7()).String() })
	if err := cl.EnsureDefaultPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
	rv := review.NewService(db.Review(), cl, review.DefaultSettings, now, func() string { return uuid.Must(uuid.NewV7()).String() })
	cl.OnChange(func(ctx context.Context, id string) {
		if err := rv.AfterFile(ctx, id); err != nil {
			t.Errorf("automatic adjudication of %s: %v", id, err)
		}
	})
	// Audit, payouts and statistics as cmd/bosang wires them.
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	au := audit.NewService(db.Audit(), testAuditKey(t, key), now, newID)
	po := payout.NewService(db.Payouts(), sealer, au, now, newID)
	st := stats.NewService(db.Stats(), rv.Settings().ReviewTarget, now)
	of := offers.NewService(db.Offers(), cl, outages, sealer, now, newID)
	of.SetBlobs(blob.NewEncrypted(blobs, sealer))
	deps := handlers.Deps{Auth: svc, Outages: outages, Claims: cl, Review: rv, Audit: au, Payouts: po, Stats: st, Offers: of,
		BaseURL: "https://bosang.example", Catalog: cat, Ready: db.Ready, CSRFKey: key,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), RefreshTTL: 24 * time.Hour, Now: now}
	if adjust != nil {
		adjust(&deps)
	}
	h, err := handlers.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{srv: srv, db: db, auth: svc, outages: outages, claims: cl, review: rv, audit: au, payouts: po, stats: st, offers: of, sealer: sealer, jwtKey: key, app: app, logs: logs, blobDir: blobDir, handler: h, clock: clock, now: now}
}

// eachEnv runs fn against a test server on PostgreSQL and on SQLite.
func eachEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newTestEnv(t, db)) })
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
	return m
}

// errorCode returns error.code of an API error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// call sends a JSON request; body may be a string (sent as is) or a value.
func (e *testEnv) call(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

const testPassword = "correct horse battery"

// registerAndLogin creates a claimant and returns its token pair.
func (e *testEnv) registerAndLogin(t *testing.T, email string) auth.Pair {
	t.Helper()
	r := e.call(t, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": testPassword, "name": "홍길동", "phone": "010-1234-5678"})
	if r.status != http.StatusCreated {
		t.Fatalf("register %s: got %d %s, want 201", email, r.status, r.body)
	}
	return e.login(t, email, testPassword)
}

// login logs in over the API and returns the token pair; staff answer the
// second factor's challenge with their authenticator's next code (enrolling
// it at their first login).
func (e *testEnv) login(t *testing.T, email, password string) auth.Pair {
	t.Helper()
	r := e.call(t, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	if r.status != http.StatusOK {
		t.Fatalf("login %s: got %d %s, want 200", email, r.status, r.body)
	}
	var a loginAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	if a.MFARequired {
		return e.finishMFA(t, email, a)
	}
	return a.Pair
}

// browser returns an HTTP client with a cookie jar that does not follow
// redirects, like a form-posting browser seen one hop at a time.
func (e *testEnv) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// testAnswer is the answer a test's own filing stores under its key: 201
// and the claim's JSON, as the API answers.
func testAnswer(v *claims.View) (claims.Answer, error) {
	b, err := json.Marshal(v)
	return claims.Answer{Status: http.StatusCreated, Body: b}, err
}
