package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store/dbtest"
)

// operationalPaths are the routes outside /api/v1 that the OpenAPI
// document describes; the rest outside /api/ are pages and static files.
var operationalPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// ginParam matches a gin path parameter (":id", "*path").
var ginParam = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// servedRoutes lists, as "METHOD /path" with OpenAPI's {name} parameters,
// every route gin serves that belongs in the OpenAPI document: the
// operational endpoints and everything under /api/.
func servedRoutes(t *testing.T, e *testEnv) []string {
	t.Helper()
	engine, ok := e.handler.(*gin.Engine)
	if !ok {
		t.Fatalf("handlers.New returned a %T, want a *gin.Engine to list its routes", e.handler)
	}
	var out []string
	for _, r := range engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || operationalPaths[r.Path] {
			out = append(out, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	return out
}

// documentedOperations lists the document's operations as "METHOD /path".
func documentedOperations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	return out
}

// routeDrift reports each route served but not documented and each
// operation documented but not served, sorted.
func routeDrift(served, documented []string) []string {
	var drift []string
	for _, r := range served {
		if !slices.Contains(documented, r) {
			drift = append(drift, r+" is served but not in the OpenAPI document")
		}
	}
	for _, o := range documented {
		if !slices.Contains(served, o) {
			drift = append(drift, "the OpenAPI document has "+o+", which the router does not serve")
		}
	}
	sort.Strings(drift)
	return drift
}

// servedDoc loads the document the server publishes (not the file on disk)
// and checks it is a valid OpenAPI 3 document.
func servedDoc(t *testing.T, e *testEnv) *openapi3.T {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/openapi.json", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: got %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: Content-Type %q, want application/json", ct)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		t.Fatalf("load served OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("served OpenAPI document is invalid: %v", err)
	}
	return doc
}

// contract validates real exchanges with the test server against the
// served document.
type contract struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

func newContract(t *testing.T, e *testEnv) *contract {
	t.Helper()
	doc := servedDoc(t, e)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router over the OpenAPI document: %v", err)
	}
	return &contract{doc: doc, router: router, opts: &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		// The server decides who is authenticated; the document only has to
		// say which schemes an operation accepts.
		AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
	}}
}

// reqCheck says what the request validator must conclude about a request.
type reqCheck int

const (
	reqValid   reqCheck = iota // the document accepts the request
	reqInvalid                 // the document rejects it too (the server answers 4xx)
)

// exchange sends a request through the harness, checks the status, and
// validates the request and the response against the document. body and
// headers are as for testEnv.call.
func (k *contract) exchange(t *testing.T, e *testEnv, want int, rc reqCheck, method, path string, body any, headers ...string) response {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	return k.exchangeRaw(t, e, want, rc, method, path, ctype, raw, headers...)
}

// exchangeRaw is exchange for a body already encoded as contentType ("" and
// nil for none), such as a multipart form. headers override Content-Type.
func (k *contract) exchangeRaw(t *testing.T, e *testEnv, want int, rc reqCheck, method, path, contentType string, raw []byte, headers ...string) response {
	t.Helper()
	newReq := func(base string) *http.Request {
		var rd io.Reader
		if raw != nil {
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequestWithContext(context.Background(), method, base+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	httpResp, err := e.srv.Client().Do(newReq(e.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(httpResp.Body)
	httpResp.Body.Close()
	resp := response{status: httpResp.StatusCode, header: httpResp.Header, body: data}
	if resp.status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.status, resp.body, want)
	}

	// The same request again, for the validator (the client consumed its own).
	req := newReq(e.srv.URL)
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s -> %d: no operation in the document: %v", method, path, resp.status, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: k.opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case rc == reqValid && reqErr != nil:
		t.Errorf("%s %s -> %d: request does not match the document: %v", method, path, resp.status, reqErr)
	case rc == reqInvalid && reqErr == nil:
		t.Errorf("%s %s -> %d: the server refused the request but the document accepts it", method, path, resp.status)
	}

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.status, Header: resp.header,
		Body: io.NopCloser(bytes.NewReader(resp.body)), Options: k.opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s -> %d: response does not match the document: %v\nbody: %.2000s", method, path, resp.status, err, resp.body)
	}
	return resp
}

func TestOpenAPIDocumentValid(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	doc := servedDoc(t, e)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if doc.Info == nil || doc.Info.Title != "Bosang API" || doc.Info.Version != "1.0.0" || doc.Info.Description == "" {
		t.Errorf("info = %+v, want title Bosang API, version 1.0.0 and a description", doc.Info)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers = %v, want one server with url /", doc.Servers)
	}
	for _, name := range []string{"User", "TokenPair", "Error", "Service", "Outage", "OutageFeature", "NoticeStatus",
		"Verdict", "Notice", "Revision", "NoticeDraft", "OutageList", "CreateOutageRequest", "CorrectOutageRequest",
		"Bank", "BankList", "Policy", "PolicyInput", "CategoryRule", "Rule", "Band", "Tier", "Factors", "PolicyList", "PublishedPolicy",
		"Estimate", "EstimateReason", "Step", "Profiles", "ProfileInput", "MerchantProfile", "DriverProfile", "SubscriberProfile", "PartnerProfile",
		"Claim", "ClaimList", "NewClaim", "AccountView", "EventView", "EvidenceView", "EvidenceUpload", "WithdrawRequest",
		"QueueItem", "ReviewQueue", "DecisionOutcome", "ReasonCode", "Flag", "DecisionAction", "DecisionInput", "Decision", "DecisionList",
		"SupplementAnswer", "AppealRequest", "AuditEntity", "AuditEntry", "AuditList", "BrokenEntry", "BrokenCheckpoint", "AuditVerification",
		"PayoutBatchStatus", "PayoutItemStatus", "NewPayoutBatch", "PayoutItem", "PayoutBatch", "Settlement", "SettleInput", "SettleReport", "Stats"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
	if e := doc.Components.Schemas["Error"]; e != nil {
		codes := e.Value.Properties["error"].Value.Properties["code"].Value.Enum
		for _, c := range []string{"late", "idempotency_key_reused", "nothing_to_pay"} {
			if !slices.Contains(codes, any(c)) {
				t.Errorf("Error.error.code does not list %q", c)
			}
		}
	}
	// The enums the document lists are the server's own lists.
	enum := func(schema string, path ...string) []string {
		ref := doc.Components.Schemas[schema]
		for _, p := range path {
			if ref == nil || ref.Value == nil {
				break
			}
			if p == "[]" {
				ref = ref.Value.Items
			} else {
				ref = ref.Value.Properties[p]
			}
		}
		if ref == nil || ref.Value == nil {
			return nil
		}
		var out []string
		for _, v := range ref.Value.Enum {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	var reasonCodes []string
	for _, c := range claims.EstimateReasonCodes {
		reasonCodes = append(reasonCodes, string(c))
	}
	buckets := make([]string, len(stats.Buckets))
	for i, b := range stats.Buckets {
		buckets[i] = b.Key
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"ReasonCode", enum("ReasonCode"), review.ReasonCodes},
		{"Flag", enum("Flag"), review.Flags},
		{"AuditEntity", enum("AuditEntity"), audit.Entities},
		{"EstimateReason.code", enum("EstimateReason", "code"), reasonCodes},
		{"ClaimStatus", enum("ClaimStatus"), stats.Statuses},
		{"ClaimCategory", enum("ClaimCategory"), stats.Categories},
		{"Stats.backlog.buckets[].bucket", enum("Stats", "backlog", "buckets", "[]", "bucket"), buckets},
		{"Stats.by_status required", doc.Components.Schemas["Stats"].Value.Properties["by_status"].Value.Required, stats.Statuses},
		{"Stats.by_category required", doc.Components.Schemas["Stats"].Value.Properties["by_category"].Value.Required, stats.Categories},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s enum %v, want the server's %v", c.name, c.got, c.want)
		}
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("components.securitySchemes.bearerAuth must be an http bearer scheme")
	}
}

// TestOpenAPIRoutesDocumented fails on drift in either direction between
// the routes gin serves (the operational endpoints and /api/) and the
// document's operations.
func TestOpenAPIRoutesDocumented(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	served, documented := servedRoutes(t, e), documentedOperations(servedDoc(t, e))
	for _, want := range []string{"GET /healthz", "GET /api/v1/openapi.json", "GET /api/v1/claims/{id}/evidence/{eid}", "PUT /api/v1/me/profiles/{kind}"} {
		if !slices.Contains(served, want) {
			t.Errorf("the routes read from gin lack %s: got %v", want, served)
		}
	}
	for _, d := range routeDrift(served, documented) {
		t.Error(d)
	}
	sort.Strings(served)
	t.Logf("%d routes served and documented: %s", len(served), strings.Join(served, ", "))
}

// TestOpenAPIRouteDriftFails proves the comparison above can fail, in both
// directions.
func TestOpenAPIRouteDriftFails(t *testing.T) {
	served := []string{"GET /healthz", "POST /api/v1/claims", "GET /api/v1/claims/{id}"}
	documented := []string{"GET /healthz", "POST /api/v1/claims", "DELETE /api/v1/claims/{id}"}
	got := routeDrift(served, documented)
	want := []string{
		"GET /api/v1/claims/{id} is served but not in the OpenAPI document",
		"the OpenAPI document has DELETE /api/v1/claims/{id}, which the router does not serve",
	}
	if !slices.Equal(got, want) {
		t.Errorf("routeDrift: got %q, want %q", got, want)
	}
	if got := routeDrift(served, served); got != nil {
		t.Errorf("routeDrift of equal lists: got %q, want none", got)
	}
}

// TestOpenAPIRealResponses drives every endpoint and its main error
// statuses on both dialects and validates each request and response.
func TestOpenAPIRealResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		ctx := context.Background()
		const (
			regPath   = "/api/v1/auth/register"
			loginPath = "/api/v1/auth/login"
			refresh   = "/api/v1/auth/refresh"
			logout    = "/api/v1/auth/logout"
			me        = "/api/v1/me"
			admin     = "/api/v1/admin/users"
		)
		reg := func(email string) map[string]string {
			return map[string]string{"email": email, "password": testPassword, "name": "홍길동", "phone": "010-1234-5678"}
		}

		// Operations.
		k.exchange(t, e, 200, reqValid, "GET", "/healthz", nil)
		k.exchange(t, e, 200, reqValid, "GET", "/readyz", nil)
		k.exchange(t, e, 200, reqValid, "GET", "/metrics", nil)
		k.exchange(t, e, 200, reqValid, "GET", "/api/v1/openapi.json", nil)

		// Register.
		k.exchange(t, e, 201, reqValid, "POST", regPath, reg("kim@example.com"))
		k.exchange(t, e, 201, reqValid, "POST", regPath, reg("kim@example.com")) // taken: the same answer
		k.exchange(t, e, 422, reqValid, "POST", regPath,
			map[string]string{"email": "not-an-address", "password": "short", "name": "홍길동", "phone": "12"})
		k.exchange(t, e, 400, reqInvalid, "POST", regPath, `{"email": "kim@example.com",`)
		k.exchange(t, e, 415, reqInvalid, "POST", regPath, `email=kim@example.com`, "Content-Type", "text/plain")
		big := reg("big@example.com")
		big["name"] = strings.Repeat("가", 400_000) // over 1 MiB of UTF-8
		k.exchange(t, e, 413, reqInvalid, "POST", regPath, big)

		// Login.
		creds := map[string]string{"email": "kim@example.com", "password": testPassword}
		pr := k.exchange(t, e, 200, reqValid, "POST", loginPath, creds)
		var pair auth.Pair
		if err := json.Unmarshal(pr.body, &pair); err != nil {
			t.Fatal(err)
		}
		k.exchange(t, e, 401, reqValid, "POST", loginPath, map[string]string{"email": "kim@example.com", "password": "wrong password here"})
		k.exchange(t, e, 401, reqValid, "POST", loginPath, map[string]string{"email": "nobody@example.com", "password": testPassword})
		k.exchange(t, e, 422, reqInvalid, "POST", loginPath, map[string]any{"email": 42, "password": testPassword})

		// Refresh: a new pair; the spent token again at once (parallel
		// requests) gets the same successor; once the successor is spent,
		// the first token is refused and the session revoked.
		next := k.exchange(t, e, 200, reqValid, "POST", refresh, map[string]string{"refresh_token": pair.RefreshToken})
		k.exchange(t, e, 200, reqValid, "POST", refresh, map[string]string{"refresh_token": pair.RefreshToken})
		k.exchange(t, e, 200, reqValid, "POST", refresh, map[string]string{"refresh_token": next.json(t)["refresh_token"].(string)})
		k.exchange(t, e, 401, reqValid, "POST", refresh, map[string]string{"refresh_token": pair.RefreshToken})
		pr = k.exchange(t, e, 200, reqValid, "POST", loginPath, creds)
		if err := json.Unmarshal(pr.body, &pair); err != nil {
			t.Fatal(err)
		}

		// Me.
		k.exchange(t, e, 200, reqValid, "GET", me, nil, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "GET", me, nil)
		k.exchange(t, e, 401, reqValid, "GET", me, nil, bearer("not.a.token")...)

		// Admin: a claimant is refused, an admin creates staff.
		k.exchange(t, e, 403, reqValid, "POST", admin,
			map[string]string{"email": "rev@example.com", "password": testPassword, "name": "심사관", "role": "reviewer"}, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "POST", admin,
			map[string]string{"email": "rev@example.com", "password": testPassword, "name": "심사관", "role": "reviewer"})
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		adm := e.login(t, "admin@example.com", testPassword)
		staff := map[string]string{"email": "rev@example.com", "password": testPassword, "name": "심사관", "role": "reviewer"}
		k.exchange(t, e, 201, reqValid, "POST", admin, staff, bearer(adm.AccessToken)...)
		k.exchange(t, e, 409, reqValid, "POST", admin, staff, bearer(adm.AccessToken)...)
		k.exchange(t, e, 422, reqInvalid, "POST", admin,
			map[string]string{"email": "op@example.com", "password": testPassword, "name": "운영자", "role": "superuser"}, bearer(adm.AccessToken)...)
		k.exchange(t, e, 200, reqValid, "GET", me, nil, bearer(adm.AccessToken)...)

		// Staff: the login is a challenge, the second factor gives the pair.
		openAPIStaffLogin(t, e, k, staff)

		// Logout revokes the access token too.
		k.exchange(t, e, 204, reqValid, "POST", logout, nil, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "POST", logout, nil, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "GET", me, nil, bearer(pair.AccessToken)...)

		// Throttled login: 429 with Retry-After.
		k.exchange(t, e, 201, reqValid, "POST", regPath, reg("lee@example.com"))
		wrong := map[string]string{"email": "lee@example.com", "password": "wrong password here"}
		for range auth.DefaultThrottle.PairFree {
			k.exchange(t, e, 401, reqValid, "POST", loginPath, wrong)
		}
		r := k.exchange(t, e, 429, reqValid, "POST", loginPath, wrong)
		if r.header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}

		// Not ready once the database is gone.
		if err := e.db.Close(); err != nil {
			t.Fatal(err)
		}
		k.exchange(t, e, 503, reqValid, "GET", "/readyz", nil)
	})
}

// openAPIStaffLogin drives a staff login through its second factor: the
// challenge with an enrolment, wrong codes and a bad token (401), a
// malformed body (400), the confirming code with the recovery codes, a
// later login without either, and wrong codes until 429.
func openAPIStaffLogin(t *testing.T, e *testEnv, k *contract, staff map[string]string) {
	t.Helper()
	const (
		loginPath = "/api/v1/auth/login"
		mfaPath   = "/api/v1/auth/mfa"
	)
	email := staff["email"]
	creds := map[string]string{"email": email, "password": staff["password"]}
	challenge := func(wantEnrolment bool) string {
		t.Helper()
		var a loginAnswer
		if err := json.Unmarshal(k.exchange(t, e, 200, reqValid, "POST", loginPath, creds).body, &a); err != nil {
			t.Fatal(err)
		}
		if !a.MFARequired || a.AccessToken != "" || (a.Enrolment != nil) != wantEnrolment {
			t.Fatalf("staff login: got %+v, want a challenge (enrolment %v) and no tokens", a, wantEnrolment)
		}
		if a.Enrolment != nil {
			e.app.enrol(email, a.Enrolment.Secret)
		}
		return a.MFAToken
	}
	tok := challenge(true)
	k.exchange(t, e, 401, reqValid, "POST", mfaPath, map[string]string{"mfa_token": tok, "code": "12345"})
	k.exchange(t, e, 401, reqValid, "POST", mfaPath, map[string]string{"mfa_token": "not.a.token", "code": e.app.code(t, email)})
	k.exchange(t, e, 400, reqInvalid, "POST", mfaPath, `{"mfa_token": "x",`)
	first := k.exchange(t, e, 200, reqValid, "POST", mfaPath, map[string]string{"mfa_token": tok, "code": e.app.code(t, email)}).json(t)
	if codes, _ := first["recovery_codes"].([]any); len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("the confirming login: %d recovery codes, want %d", len(codes), auth.RecoveryCodeCount)
	}
	k.exchange(t, e, 200, reqValid, "GET", "/api/v1/me", nil, bearer(first["access_token"].(string))...)
	later := k.exchange(t, e, 200, reqValid, "POST", mfaPath, map[string]string{"mfa_token": challenge(false), "code": e.app.code(t, email)}).json(t)
	if _, ok := later["recovery_codes"]; ok {
		t.Fatal("a later login shows recovery codes again")
	}
	tok = challenge(false)
	for range auth.DefaultThrottle.PairFree { // a good login cleared the first wrong code
		k.exchange(t, e, 401, reqValid, "POST", mfaPath, map[string]string{"mfa_token": tok, "code": "12345"})
	}
	// Not the authenticator's next code: making it moves the service's
	// clock a step on, past the 30 s wait.
	r := k.exchange(t, e, 429, reqValid, "POST", mfaPath, map[string]string{"mfa_token": tok, "code": "12345"})
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// TestOpenAPIValidatorRejects proves the validation above can fail: a login
// response without access_token, with an extra field, or with an
// undocumented status does not pass.
func TestOpenAPIValidatorRejects(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	k := newContract(t, e)
	req, err := http.NewRequestWithContext(context.Background(), "POST", e.srv.URL+"/api/v1/auth/login",
		strings.NewReader(`{"email":"kim@example.com","password":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: k.opts}
	header := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"test"}}
	validate := func(status int, body string) error {
		return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: status, Header: header,
			Body: io.NopCloser(strings.NewReader(body)), Options: k.opts,
		})
	}
	good := `{"access_token":"a.b.c","token_type":"Bearer","expires_in":900,"refresh_token":"r"}`
	if err := validate(200, good); err != nil {
		t.Fatalf("a well-formed token pair fails validation: %v", err)
	}
	challenge := `{"mfa_required":true,"mfa_token":"a.b.c","expires_in":300,"enrolment":{"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","otpauth_uri":"otpauth://totp/Bosang:a@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}}`
	if err := validate(200, challenge); err != nil {
		t.Fatalf("a well-formed staff challenge fails validation: %v", err)
	}
	for _, c := range []struct {
		name   string
		status int
		body   string
	}{
		{"missing access_token", 200, `{"token_type":"Bearer","expires_in":900,"refresh_token":"r"}`},
		{"extra field", 200, `{"access_token":"a.b.c","token_type":"Bearer","expires_in":900,"refresh_token":"r","user":"x"}`},
		{"wrong token_type", 200, `{"access_token":"a.b.c","token_type":"MAC","expires_in":900,"refresh_token":"r"}`},
		{"a challenge with tokens", 200, `{"mfa_required":true,"mfa_token":"a.b.c","expires_in":300,"access_token":"a.b.c","token_type":"Bearer","refresh_token":"r"}`},
		{"a challenge without its token", 200, `{"mfa_required":true,"expires_in":300}`},
		{"error with extra field", 401, `{"error":{"code":"unauthenticated","message":"m","detail":"x"}}`},
		{"undocumented status", 418, `{"error":{"code":"internal","message":"m"}}`},
	} {
		if err := validate(c.status, c.body); err == nil {
			t.Errorf("%s: POST /api/v1/auth/login -> %d %s passed validation, want an error", c.name, c.status, c.body)
		} else {
			t.Logf("%s: rejected as expected: %.160s", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
		}
	}
}

// TestOpenAPIOutageResponses drives the catalogue, outage, notice and
// eligibility endpoints and their main error statuses on both dialects and
// validates each request and response.
func TestOpenAPIOutageResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		f := newOutageFixture(t, e)
		ctx := context.Background()
		op := bearer(f.operator)
		claimant := e.registerAndLogin(t, "claimant@example.com")
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		adm := e.login(t, "admin@example.com", testPassword)
		const (
			services = "/api/v1/services"
			outages  = "/api/v1/outages"
			unknown  = "/api/v1/outages/0190d5c1-0000-7000-8000-000000000000"
		)

		// Catalogue: anyone reads it; only an admin adds to it.
		k.exchange(t, e, 200, reqValid, "GET", services, nil)
		k.exchange(t, e, 401, reqValid, "GET", services, nil, bearer("not.a.token")...)
		webtoon := map[string]any{"code": "webtoon", "name": "웹툰", "name_en": "Webtoon", "paid": true,
			"provider":   map[string]any{"name": "웹툰사", "kind": "value_added", "prior_year_revenue_krw": 15_000_000_000, "avg_daily_users": 1_500_000, "contact": "help@webtoon.example"},
			"features":   []map[string]string{{"code": "viewer", "name": "뷰어", "name_en": "Viewer"}},
			"depends_on": []string{"talk.login"}}
		k.exchange(t, e, 403, reqValid, "POST", services, webtoon, bearer(claimant.AccessToken)...)
		k.exchange(t, e, 403, reqValid, "POST", services, webtoon, op...)
		k.exchange(t, e, 401, reqValid, "POST", services, webtoon)
		k.exchange(t, e, 201, reqValid, "POST", services, webtoon, bearer(adm.AccessToken)...)
		k.exchange(t, e, 409, reqValid, "POST", services, webtoon, bearer(adm.AccessToken)...)
		k.exchange(t, e, 422, reqValid, "POST", services, map[string]any{"code": "music", "name": "뮤직",
			"provider": map[string]any{"name": "플랫폼"}, "features": []map[string]string{{"code": "play", "name": "재생"}},
			"depends_on": []string{"talk.teleport"}}, bearer(adm.AccessToken)...)
		k.exchange(t, e, 422, reqInvalid, "POST", services, map[string]any{"code": "Not A Code", "name": "x",
			"provider": map[string]any{"name": "플랫폼"}, "features": []map[string]string{}}, bearer(adm.AccessToken)...)
		k.exchange(t, e, 400, reqInvalid, "POST", services, `{"code":`, bearer(adm.AccessToken)...)
		k.exchange(t, e, 200, reqValid, "GET", services, nil)

		// Record outages: a closed one with a feature restored early, a
		// free-service one that others depend on, and an open one.
		closed := map[string]any{"service_id": "taxi", "features": []string{"hailing", "designated"},
			"started_at": "2022-10-15T15:30:00+09:00", "ended_at": "2022-10-15T19:30:01+09:00",
			"feature_restored_at": map[string]string{"designated": "2022-10-15T17:30:00+09:00"},
			"cause":               "equipment_fault", "summary": "서버 장애", "regions": []string{"서울", "경기"}}
		r := k.exchange(t, e, 201, reqValid, "POST", outages, closed, op...)
		if got := r.header.Get("ETag"); got != `"1"` {
			t.Errorf("create: ETag %q, want \"1\"", got)
		}
		id := r.json(t)["id"].(string)
		login := k.exchange(t, e, 201, reqValid, "POST", outages, map[string]any{"service_id": "talk", "features": []string{"login"},
			"started_at": "2022-10-15T15:30:00+09:00", "ended_at": "2022-10-16T09:00:00+09:00", "cause": "fire", "summary": "화재"}, op...).json(t)
		if n := login["notice"].(map[string]any); n["exemption"] != "free_service" || len(login["impacted_services"].([]any)) == 0 {
			t.Errorf("free-service outage: notice %v, impacted %v; want exempt free_service with impact", n, login["impacted_services"])
		}
		open := k.exchange(t, e, 201, reqValid, "POST", outages, map[string]any{"service_id": "taxi", "features": []string{"designated"},
			"started_at": e.now().Add(-5 * time.Hour).Format(time.RFC3339), "cause": "error", "summary": "진행 중"}, op...).json(t)
		if open["ended_at"] != nil || open["notice"].(map[string]any)["compensation_notice_due_at"] != nil {
			t.Errorf("open outage: ended_at %v, compensation due %v; want both null", open["ended_at"], open["notice"].(map[string]any)["compensation_notice_due_at"])
		}
		k.exchange(t, e, 422, reqValid, "POST", outages, map[string]any{"service_id": "taxi", "features": []string{"hailing"},
			"started_at": "2024-01-01T10:00:00+09:00", "ended_at": "2024-01-01T09:00:00+09:00", "cause": "overload", "summary": "요약"}, op...)
		k.exchange(t, e, 422, reqValid, "POST", outages, map[string]any{"service_id": "nope", "features": []string{"hailing"},
			"started_at": "2024-01-01T10:00:00+09:00", "cause": "overload", "summary": "요약"}, op...)
		k.exchange(t, e, 422, reqInvalid, "POST", outages, map[string]any{"service_id": "taxi", "features": []string{"hailing"},
			"started_at": "2024-01-01T10:00:00+09:00", "cause": "aliens", "summary": "요약"}, op...)
		k.exchange(t, e, 403, reqValid, "POST", outages, closed, bearer(claimant.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "POST", outages, closed)

		// Read one.
		r = k.exchange(t, e, 200, reqValid, "GET", outages+"/"+id, nil)
		if got := r.header.Get("ETag"); got != `"1"` {
			t.Errorf("get: ETag %q, want \"1\"", got)
		}
		k.exchange(t, e, 404, reqValid, "GET", unknown, nil)

		// Correct: If-Match optional, reason required, a stale version loses.
		fix := map[string]any{"ended_at": "2022-10-15T19:00:00+09:00", "reason": "복구 시각 정정"}
		r = k.exchange(t, e, 200, reqValid, "PATCH", outages+"/"+id, fix, append(op, "If-Match", `"1"`)...)
		if got := r.header.Get("ETag"); got != `"2"` {
			t.Errorf("patch: ETag %q, want \"2\"", got)
		}
		if revs := r.json(t)["revisions"].([]any); len(revs) != 1 {
			t.Errorf("patch: revisions %v, want one", revs)
		}
		k.exchange(t, e, 412, reqValid, "PATCH", outages+"/"+id, fix, append(op, "If-Match", `"1"`)...)
		k.exchange(t, e, 200, reqValid, "PATCH", outages+"/"+id, map[string]any{"summary": "서버 장비 고장", "reason": "요약 보완"}, op...)
		k.exchange(t, e, 422, reqInvalid, "PATCH", outages+"/"+id, map[string]any{"summary": "사유 없음"}, op...)
		k.exchange(t, e, 412, reqValid, "PATCH", outages+"/"+id, fix, append(op, "If-Match", "bogus")...)
		k.exchange(t, e, 404, reqValid, "PATCH", unknown, fix, op...)
		k.exchange(t, e, 403, reqValid, "PATCH", outages+"/"+id, fix, bearer(claimant.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "PATCH", outages+"/"+id, fix)

		// List with filters and the cursor.
		for _, q := range []string{"", "?service=taxi", "?ongoing=true", "?ongoing=false", "?from=2022-01-01&to=2022-12-31",
			"?from=2022-10-15T18:00:00%2B09:00&service=talk"} {
			k.exchange(t, e, 200, reqValid, "GET", outages+q, nil)
		}
		page := k.exchange(t, e, 200, reqValid, "GET", outages+"?limit=2", nil).json(t)
		next, _ := page["next"].(string)
		if next == "" {
			t.Fatalf("first page of 2 of 3: next %v, want a cursor", page["next"])
		}
		if last := k.exchange(t, e, 200, reqValid, "GET", outages+"?limit=2&next="+next, nil).json(t); last["next"] != nil {
			t.Errorf("last page: next %v, want null", last["next"])
		}
		k.exchange(t, e, 422, reqValid, "GET", outages+"?service=nope", nil)
		for _, bad := range []string{"?ongoing=maybe", "?from=yesterday", "?limit=0", "?limit=501"} {
			k.exchange(t, e, 422, reqInvalid, "GET", outages+bad, nil)
		}

		// Notice drafts, notices and timeline updates.
		for _, kind := range []string{"interruption", "compensation"} {
			k.exchange(t, e, 200, reqValid, "GET", outages+"/"+id+"/notice-draft?kind="+kind, nil, op...)
		}
		k.exchange(t, e, 422, reqInvalid, "GET", outages+"/"+id+"/notice-draft?kind=poem", nil, op...)
		k.exchange(t, e, 404, reqValid, "GET", unknown+"/notice-draft?kind=interruption", nil, op...)
		k.exchange(t, e, 401, reqValid, "GET", outages+"/"+id+"/notice-draft?kind=interruption", nil)
		k.exchange(t, e, 403, reqValid, "GET", outages+"/"+id+"/notice-draft?kind=interruption", nil, bearer(claimant.AccessToken)...)

		notice := map[string]any{"kind": "interruption", "channels": []string{"sms", "app"}, "sent_at": "2022-10-15T20:00:00+09:00", "body": "서비스 제공 중단 안내"}
		r = k.exchange(t, e, 201, reqValid, "POST", outages+"/"+id+"/notices", notice, op...)
		if got := r.json(t)["notice"].(map[string]any)["notices"].([]any); len(got) != 1 {
			t.Errorf("record notice: notices %v, want one", got)
		}
		k.exchange(t, e, 422, reqInvalid, "POST", outages+"/"+id+"/notices",
			map[string]any{"kind": "interruption", "channels": []string{"pigeon"}, "sent_at": "2022-10-15T20:00:00+09:00", "body": "x"}, op...)
		k.exchange(t, e, 422, reqValid, "POST", outages+"/"+id+"/notices",
			map[string]any{"kind": "interruption", "channels": []string{"sms"}, "sent_at": "2022-10-14T20:00:00+09:00", "body": "x"}, op...)
		k.exchange(t, e, 404, reqValid, "POST", unknown+"/notices", notice, op...)
		k.exchange(t, e, 403, reqValid, "POST", outages+"/"+id+"/notices", notice, bearer(claimant.AccessToken)...)

		r = k.exchange(t, e, 201, reqValid, "POST", outages+"/"+id+"/updates", map[string]string{"body": "호출 서버를 교체했습니다."}, op...)
		if got := r.json(t)["timeline"].([]any); len(got) != 1 {
			t.Errorf("add update: timeline %v, want one entry", got)
		}
		k.exchange(t, e, 422, reqValid, "POST", outages+"/"+id+"/updates", map[string]string{"body": "   "}, op...)
		k.exchange(t, e, 422, reqInvalid, "POST", outages+"/"+id+"/updates", map[string]string{"body": ""}, op...)
		k.exchange(t, e, 404, reqValid, "POST", unknown+"/updates", map[string]string{"body": "x"}, op...)
		k.exchange(t, e, 401, reqValid, "POST", outages+"/"+id+"/updates", map[string]string{"body": "x"})

		// Eligibility: an exchange user during the login outage qualifies through the dependency.
		el := k.exchange(t, e, 200, reqValid, "GET", "/api/v1/eligibility?service=exchange&role=user&at=2022-10-15T18:00:00%2B09:00", nil).json(t)
		if got := el["outages"].([]any); len(got) != 1 {
			t.Errorf("eligibility: %d outages, want the login outage", len(got))
		}
		k.exchange(t, e, 200, reqValid, "GET", "/api/v1/eligibility?service=taxi&role=driver&at=2021-01-01", nil)
		k.exchange(t, e, 422, reqValid, "GET", "/api/v1/eligibility?service=nope&role=user&at=2022-10-15", nil)
		k.exchange(t, e, 422, reqInvalid, "GET", "/api/v1/eligibility?service=taxi&role=alien&at=2022-10-15", nil)
		k.exchange(t, e, 422, reqInvalid, "GET", "/api/v1/eligibility?service=taxi&role=user", nil)

		// The outage schema can fail: a real body with a field removed, an
		// exemption outside the enum, or no ETag does not pass.
		real := k.exchange(t, e, 200, reqValid, "GET", outages+"/"+id, nil)
		mutate := func(edit func(m map[string]any)) []byte {
			m := real.json(t)
			edit(m)
			b, _ := json.Marshal(m)
			return b
		}
		noETag := real.header.Clone()
		noETag.Del("ETag")
		for _, c := range []struct {
			name   string
			header http.Header
			body   []byte
		}{
			{"missing notice", real.header, mutate(func(m map[string]any) { delete(m, "notice") })},
			{"unknown exemption", real.header, mutate(func(m map[string]any) { m["notice"].(map[string]any)["exemption"] = "bored" })},
			{"null started_at", real.header, mutate(func(m map[string]any) { m["started_at"] = nil })},
			{"extra field", real.header, mutate(func(m map[string]any) { m["secret"] = "x" })},
			{"no ETag", noETag, real.body},
		} {
			if err := k.validateResponse(t, "GET", outages+"/"+id, 200, c.header, c.body); err == nil {
				t.Errorf("%s: GET /api/v1/outages/{id} passed validation, want an error", c.name)
			} else {
				t.Logf("%s: rejected as expected: %.160s", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
			}
		}
	})
}

// validateResponse validates a made-up response to a bodyless request.
func (k *contract) validateResponse(t *testing.T, method, path string, status int, header http.Header, body []byte) error {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, "http://bosang.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no operation in the document: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: k.opts}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: k.opts,
	})
}

// appealForm encodes an appeal with a file: reason, kind, then the file.
func appealForm(t *testing.T, reason, kind, name string, content []byte) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range [][2]string{{"reason", reason}, {"kind", kind}} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// multipartBody encodes a form as the evidence upload sends it: the kind
// field (when not empty) and then the file.
func multipartBody(t *testing.T, kind, name string, content []byte) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if kind != "" {
		if err := w.WriteField("kind", kind); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// TestOpenAPIClaimResponses drives the bank, policy, profile, claim,
// evidence and withdrawal endpoints and their main error statuses on both
// dialects and validates each request and response, the evidence upload as
// multipart/form-data and the download as a binary body.
func TestOpenAPIClaimResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		f := newClaimFixture(t, e)
		ctx := context.Background()
		alice, bob, op := bearer(f.alice), bearer(f.bob), bearer(f.operator)
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		adm := bearer(e.login(t, "admin@example.com", testPassword).AccessToken)
		const (
			banks    = "/api/v1/banks"
			policies = "/api/v1/policies"
			profiles = "/api/v1/me/profiles"
			claimsP  = "/api/v1/claims"
			unknown  = "/api/v1/claims/0190d5c1-0000-7000-8000-000000000000"
		)
		withKey := func(h []string, key string) []string { return append(slices.Clone(h), "Idempotency-Key", key) }
		code := func(r response) string {
			m, _ := r.json(t)["error"].(map[string]any)
			c, _ := m["code"].(string)
			return c
		}

		// Banks and policies: anyone reads them.
		k.exchange(t, e, 200, reqValid, "GET", banks, nil)
		k.exchange(t, e, 401, reqValid, "GET", banks, nil, bearer("not.a.token")...)
		list := k.exchange(t, e, 200, reqValid, "GET", policies, nil).json(t)["policies"].([]any)
		if len(list) != 1 {
			t.Fatalf("policies: got %d, want the default", len(list))
		}
		k.exchange(t, e, 401, reqValid, "GET", policies, nil, bearer("not.a.token")...)

		// Profiles: claimants only.
		k.exchange(t, e, 200, reqValid, "GET", profiles, nil, alice...)
		driver := map[string]any{"driver_kind": "taxi", "vehicle_number": "12가 3456",
			"membership": map[string]any{"name": "프로 멤버십", "monthly_fee_krw": 39000}, "licence_number": "11-22-333333-44"}
		r := k.exchange(t, e, 200, reqValid, "PUT", profiles+"/driver", driver, alice...)
		if got := r.json(t)["profiles"].(map[string]any)["driver"].(map[string]any)["licence_number"]; got != "**-**-******-**" {
			t.Errorf("driver profile: licence_number %v, want the masked marker", got)
		}
		merchant := map[string]any{"business_number": "1234500003", "business_name": "앨리스 분식", "business_type": "음식점",
			"opening_hours": map[string][]string{"mon": {"09:00", "21:00"}, "sat": {"10:00", "24:00"}}, "small_business_certificate": true}
		k.exchange(t, e, 200, reqValid, "PUT", profiles+"/merchant", merchant, alice...)
		k.exchange(t, e, 200, reqValid, "PUT", profiles+"/paid_subscriber", map[string]any{"service_id": "taxi", "monthly_fee_krw": 9900}, alice...)
		k.exchange(t, e, 200, reqValid, "PUT", profiles+"/partner_business",
			map[string]any{"company": "파트너 주식회사", "service_id": "taxi", "monthly_fee_krw": 100000}, alice...)
		if got := k.exchange(t, e, 200, reqValid, "GET", profiles, nil, alice...).json(t)["profiles"].(map[string]any); len(got) != 4 {
			t.Errorf("profiles: got %v, want all four kinds", got)
		}
		badNumber := maps.Clone(merchant)
		badNumber["business_number"] = "1234500004"
		k.exchange(t, e, 422, reqValid, "PUT", profiles+"/merchant", badNumber, alice...)
		k.exchange(t, e, 422, reqInvalid, "PUT", profiles+"/paid_subscriber", map[string]any{"service_id": "taxi", "monthly_fee_krw": 0}, alice...)
		k.exchange(t, e, 404, reqInvalid, "PUT", profiles+"/pilot", map[string]any{"company": "x"}, alice...)
		k.exchange(t, e, 400, reqInvalid, "PUT", profiles+"/driver", `{"driver_kind":`, alice...)
		k.exchange(t, e, 403, reqValid, "GET", profiles, nil, op...)
		k.exchange(t, e, 403, reqValid, "PUT", profiles+"/driver", driver, op...)
		k.exchange(t, e, 401, reqValid, "GET", profiles, nil)

		// File: 201 with ETag and Location, the same again replayed.
		body := f.claimBody("driver", 0)
		r = k.exchange(t, e, 201, reqValid, "POST", claimsP, body, withKey(alice, "k1")...)
		id := r.json(t)["id"].(string)
		if r.header.Get("ETag") != `"1"` || r.header.Get("Location") != claimsP+"/"+id {
			t.Errorf("file: ETag %q, Location %q; want \"1\" and the claim's URL", r.header.Get("ETag"), r.header.Get("Location"))
		}
		again := k.exchange(t, e, 201, reqValid, "POST", claimsP, body, withKey(alice, "k1")...)
		if again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.body, r.body) {
			t.Errorf("replay: Idempotent-Replayed %q, same body %v; want true and the first body", again.header.Get("Idempotent-Replayed"), bytes.Equal(again.body, r.body))
		}
		// Other categories: paid (fee from the profile), merchant (bands on the
		// claimed loss) and a non-monetary free user without an account.
		k.exchange(t, e, 201, reqValid, "POST", claimsP, map[string]any{"outage_id": f.outageID, "category": "paid_subscriber", "monetary": true,
			"description": "결제한 이용권을 쓰지 못했습니다", "payout_account": map[string]string{"bank": "090", "number": testAccount, "holder": "앨리스"}},
			withKey(alice, "k2")...)
		k.exchange(t, e, 201, reqValid, "POST", claimsP, map[string]any{"outage_id": f.outageID, "category": "merchant", "monetary": true,
			"description": "주문을 받지 못했습니다", "claimed_amount_krw": 250000,
			"payout_account": map[string]string{"bank": "004", "number": testAccount, "holder": "앨리스"}}, withKey(alice, "k3")...)
		free := k.exchange(t, e, 201, reqValid, "POST", claimsP, map[string]any{"outage_id": f.outageID, "category": "free_user",
			"monetary": false, "description": "메시지를 보내지 못했습니다"}, withKey(alice, "k4")...).json(t)
		// (in_kind is optional: the stored estimate does not keep it, so a
		// claim's estimate never carries it today.)
		if est := free["estimate"].(map[string]any); est["amount_krw"].(float64) != 0 {
			t.Errorf("free user estimate %v: want ₩0", est)
		}

		// Filing errors.
		dup := k.exchange(t, e, 409, reqValid, "POST", claimsP, body, withKey(alice, "k5")...)
		if fields, _ := dup.json(t)["error"].(map[string]any)["fields"].(map[string]any); !strings.Contains(fmt.Sprint(fields["claim"]), id) {
			t.Errorf("duplicate: fields %v, want claim linking %s", fields, id)
		}
		other := maps.Clone(body)
		other["description"] = "다른 내용"
		if c := code(k.exchange(t, e, 422, reqValid, "POST", claimsP, other, withKey(alice, "k1")...)); c != "idempotency_key_reused" {
			t.Errorf("key reused with another body: code %q, want idempotency_key_reused", c)
		}
		k.exchange(t, e, 400, reqInvalid, "POST", claimsP, body, alice...)
		bad := f.claimBody("paid_subscriber", 0)
		bad["outage_id"] = "0190d5c1-0000-7000-8000-000000000000"
		k.exchange(t, e, 422, reqValid, "POST", claimsP, bad, withKey(bob, "b1")...)
		again = k.exchange(t, e, 422, reqValid, "POST", claimsP, bad, withKey(bob, "b1")...)
		if again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a 422 replayed: Idempotent-Replayed %q, want true", again.header.Get("Idempotent-Replayed"))
		}
		bad = f.claimBody("paid_subscriber", 0)
		bad["category"] = "alien"
		k.exchange(t, e, 422, reqInvalid, "POST", claimsP, bad, withKey(bob, "b2")...)
		oldEnd := e.now().AddDate(0, 0, -200).Truncate(time.Second)
		old := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": oldEnd.Add(-3 * time.Hour).Format(time.RFC3339),
			"ended_at": oldEnd.Format(time.RFC3339), "cause": "overload", "summary": "지난 장애"})
		if old.status != http.StatusCreated {
			t.Fatalf("create an old outage: %d %s", old.status, old.body)
		}
		late := f.claimBody("driver", 0)
		late["outage_id"] = old.json(t)["id"].(string)
		if c := code(k.exchange(t, e, 422, reqValid, "POST", claimsP, late, withKey(alice, "late")...)); c != "late" {
			t.Errorf("late claim: code %q, want late", c)
		}
		// A request still running under the key: take the key as the server
		// does at the start of a request, then send the same request.
		bobID := e.call(t, "GET", "/api/v1/me", nil, bob...).json(t)["id"].(string)
		held := f.claimBody("driver", 0)
		heldRaw, _ := json.Marshal(held)
		if replay, err := e.claims.BeginRequest(ctx, bobID, "held", heldRaw); err != nil || replay != nil {
			t.Fatalf("take the key: replay %v, err %v", replay, err)
		}
		k.exchange(t, e, 409, reqValid, "POST", claimsP, held, withKey(bob, "held")...)
		k.exchange(t, e, 415, reqInvalid, "POST", claimsP, `outage_id=x`, append(withKey(alice, "k6"), "Content-Type", "text/plain")...)
		k.exchange(t, e, 400, reqInvalid, "POST", claimsP, `{"outage_id":`, withKey(alice, "k7")...)
		k.exchange(t, e, 403, reqValid, "POST", claimsP, body, withKey(op, "o1")...)
		k.exchange(t, e, 401, reqValid, "POST", claimsP, body, "Idempotency-Key", "anon")

		// Read one: the owner and staff; anyone else gets 404.
		r = k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id, nil, alice...)
		if r.header.Get("ETag") != `"1"` {
			t.Errorf("get: ETag %q, want \"1\"", r.header.Get("ETag"))
		}
		if d := r.json(t)["deadlines"].(map[string]any); d["filing_closes_at"] == nil {
			t.Errorf("deadlines %v: want filing_closes_at", d)
		}
		k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id, nil, adm...)
		k.exchange(t, e, 403, reqValid, "GET", claimsP+"/"+id, nil, op...) // operators read no claim
		k.exchange(t, e, 404, reqValid, "GET", claimsP+"/"+id, nil, bob...)
		k.exchange(t, e, 404, reqValid, "GET", unknown, nil, alice...)
		k.exchange(t, e, 401, reqValid, "GET", claimsP+"/"+id, nil)

		// Evidence: multipart in, the file back as bytes.
		upload := func(want int, rc reqCheck, token []string, claim, kind, name string, content []byte) response {
			t.Helper()
			ct, raw := multipartBody(t, kind, name, content)
			return k.exchangeRaw(t, e, want, rc, "POST", claimsP+"/"+claim+"/evidence", ct, raw, token...)
		}
		png := pngBytes(200)
		ev := upload(201, reqValid, alice, id, "screenshot", "화면.png", png).json(t)
		eid := ev["id"].(string)
		ct, raw := multipartBody(t, "", "bill.pdf", []byte("%PDF-1.7\nreceipt"))
		k.exchangeRaw(t, e, 201, reqValid, "POST", claimsP+"/"+id+"/evidence?kind=billing", ct, raw, alice...)
		upload(415, reqValid, alice, id, "screenshot", "cat.jpg", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"))
		k.exchange(t, e, 415, reqInvalid, "POST", claimsP+"/"+id+"/evidence", map[string]string{"kind": "screenshot"}, alice...)
		upload(413, reqValid, alice, id, "other", "big.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 10<<20)...))
		upload(422, reqValid, alice, id, "screenshot", "empty.png", nil)
		upload(422, reqInvalid, alice, id, "selfie", "shot.png", png)
		upload(422, reqInvalid, alice, id, "screenshot", "", nil)
		rec := upload(422, reqValid, alice, id, "trip_records", "trips.csv", []byte("start,end,fare\nsoon,2022-10-08 15:35,100\n"))
		if msg := fmt.Sprint(rec.json(t)["error"].(map[string]any)["fields"].(map[string]any)["file"]); !strings.Contains(msg, "2행 1열") {
			t.Errorf("records with a bad line: fields.file %q, want line 2, column 1 named", msg)
		}
		upload(404, reqValid, bob, id, "screenshot", "x.png", png)
		upload(404, reqValid, alice, "0190d5c1-0000-7000-8000-000000000000", "screenshot", "x.png", png)
		upload(403, reqValid, op, id, "screenshot", "x.png", png)
		upload(401, reqValid, nil, id, "screenshot", "x.png", png)

		dl := k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id+"/evidence/"+eid, nil, alice...)
		if !bytes.Equal(dl.body, png) || dl.header.Get("Content-Type") != "image/png" {
			t.Errorf("download: %d bytes of %q, want the PNG back", len(dl.body), dl.header.Get("Content-Type"))
		}
		k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id+"/evidence/"+eid, nil, adm...)
		k.exchange(t, e, 403, reqValid, "GET", claimsP+"/"+id+"/evidence/"+eid, nil, op...)
		k.exchange(t, e, 404, reqValid, "GET", claimsP+"/"+id+"/evidence/"+eid, nil, bob...)
		k.exchange(t, e, 404, reqValid, "GET", claimsP+"/"+id+"/evidence/0190d5c1-0000-7000-8000-000000000000", nil, alice...)
		k.exchange(t, e, 401, reqValid, "GET", claimsP+"/"+id+"/evidence/"+eid, nil)
		if got := k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id, nil, alice...).json(t)["evidence"].([]any); len(got) != 2 {
			t.Errorf("evidence on the claim: got %d, want 2", len(got))
		}

		// Publish a policy: admin only; the undecided claims are re-priced.
		p := list[0].(map[string]any)
		p["name"] = "2024 기준"
		p["filing_window_days"] = 120
		cats := p["categories"].(map[string]any)
		delete(cats["partner_business"].(map[string]any), "evidence") // published as null
		pub := k.exchange(t, e, 201, reqValid, "POST", policies, p, adm...).json(t)
		if pub["policy"].(map[string]any)["version"].(float64) != 2 || pub["reprice"].(map[string]any)["status"] != "queued" {
			t.Errorf("publish: %v, want version 2 and its re-pricing job queued", pub)
		}
		runRepriceJobs(t, e)
		if past := k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id, nil, alice...).json(t)["past_estimates"].([]any); len(past) != 1 {
			t.Errorf("past_estimates after re-pricing: got %d, want 1", len(past))
		}
		k.exchange(t, e, 200, reqValid, "GET", policies, nil)
		k.exchange(t, e, 403, reqValid, "POST", policies, p, alice...)
		k.exchange(t, e, 403, reqValid, "POST", policies, p, op...)
		k.exchange(t, e, 401, reqValid, "POST", policies, p)
		noMultiplier := map[string]any{"name": "배수 없음", "effective_from": "2030-01-01T00:00:00+09:00", "categories": cats}
		drv := maps.Clone(cats["driver"].(map[string]any))
		rule := maps.Clone(drv["rule"].(map[string]any))
		delete(rule, "multiplier")
		drv["rule"] = rule
		noMultiplier["categories"] = map[string]any{"free_user": cats["free_user"], "paid_subscriber": cats["paid_subscriber"],
			"merchant": cats["merchant"], "driver": drv, "partner_business": cats["partner_business"]}
		k.exchange(t, e, 422, reqValid, "POST", policies, noMultiplier, adm...)
		rule["kind"], rule["multiplier"] = "magic", 3
		k.exchange(t, e, 422, reqInvalid, "POST", policies, noMultiplier, adm...)
		k.exchange(t, e, 400, reqInvalid, "POST", policies, `{"name":`, adm...)

		// List with filters and the cursor.
		for _, q := range []string{"", "?status=submitted,withdrawn", "?category=driver&sort=-amount", "?min_krw=0&max_krw=1000000",
			"?outage_id=" + f.outageID + "&sort=amount", "?q=" + url.QueryEscape("주문"), "?sort=-created_at"} {
			k.exchange(t, e, 200, reqValid, "GET", claimsP+q, nil, alice...)
		}
		page := k.exchange(t, e, 200, reqValid, "GET", claimsP+"?limit=3", nil, alice...).json(t)
		next, _ := page["next"].(string)
		if next == "" {
			t.Fatalf("first page of 3 of 4: next %v, want a cursor", page["next"])
		}
		if last := k.exchange(t, e, 200, reqValid, "GET", claimsP+"?limit=3&next="+next, nil, alice...).json(t); last["next"] != nil || len(last["claims"].([]any)) != 1 {
			t.Errorf("last page: %v, want one claim and next null", last)
		}
		if all := k.exchange(t, e, 200, reqValid, "GET", claimsP, nil, adm...).json(t)["claims"].([]any); len(all) != 4 {
			t.Errorf("staff list: %d claims, want Alice's 4 (Bob's attempts failed)", len(all))
		}
		k.exchange(t, e, 403, reqValid, "GET", claimsP, nil, op...)
		for _, q := range []string{"?min_krw=-1", "?max_krw=lots", "?sort=name", "?limit=0", "?limit=501"} {
			k.exchange(t, e, 422, reqInvalid, "GET", claimsP+q, nil, alice...)
		}
		k.exchange(t, e, 401, reqValid, "GET", claimsP, nil)

		// Withdraw: the owner, before a decision, once.
		r = k.exchange(t, e, 200, reqValid, "POST", claimsP+"/"+id+"/withdraw", map[string]string{"reason": "직접 해결됨"}, alice...)
		if r.json(t)["status"] != "withdrawn" || r.json(t)["withdrawable"] != false {
			t.Errorf("withdraw: %s", r.body)
		}
		k.exchange(t, e, 409, reqValid, "POST", claimsP+"/"+id+"/withdraw", nil, alice...)
		k.exchange(t, e, 404, reqValid, "POST", claimsP+"/"+id+"/withdraw", nil, bob...)
		k.exchange(t, e, 404, reqValid, "POST", unknown+"/withdraw", nil, alice...)
		k.exchange(t, e, 403, reqValid, "POST", claimsP+"/"+id+"/withdraw", nil, op...)
		k.exchange(t, e, 401, reqValid, "POST", claimsP+"/"+id+"/withdraw", nil)
		k.exchange(t, e, 400, reqInvalid, "POST", claimsP+"/"+id+"/withdraw", `{"reason":`, alice...)

		// The claim schema can fail.
		real := k.exchange(t, e, 200, reqValid, "GET", claimsP+"/"+id, nil, alice...)
		mutate := func(edit func(m map[string]any)) []byte {
			m := real.json(t)
			edit(m)
			b, _ := json.Marshal(m)
			return b
		}
		if err := k.validateResponse(t, "GET", claimsP+"/"+id, 200, real.header, mutate(func(m map[string]any) { m["estimate"] = nil })); err != nil {
			t.Errorf("a null estimate fails validation: %v", err)
		}
		noETag := real.header.Clone()
		noETag.Del("ETag")
		for _, c := range []struct {
			name   string
			header http.Header
			body   []byte
		}{
			{"missing estimate", real.header, mutate(func(m map[string]any) { delete(m, "estimate") })},
			{"estimate without steps", real.header, mutate(func(m map[string]any) { delete(m["estimate"].(map[string]any), "steps") })},
			{"unknown status", real.header, mutate(func(m map[string]any) { m["status"] = "lost" })},
			{"deadline not a time", real.header, mutate(func(m map[string]any) { m["deadlines"] = map[string]any{"filing_closes_at": 5} })},
			{"details not an object", real.header, mutate(func(m map[string]any) { m["details"] = "x" })},
			{"account number field missing", real.header, mutate(func(m map[string]any) { delete(m["payout_account"].(map[string]any), "number") })},
			{"evidence with a bad hash", real.header, mutate(func(m map[string]any) { m["evidence"].([]any)[0].(map[string]any)["sha256"] = "xyz" })},
			{"claimant id shown", real.header, mutate(func(m map[string]any) { m["claimant_id"] = "u1" })},
			{"no ETag", noETag, real.body},
		} {
			if err := k.validateResponse(t, "GET", claimsP+"/"+id, 200, c.header, c.body); err == nil {
				t.Errorf("%s: GET /api/v1/claims/{id} passed validation, want an error", c.name)
			} else {
				t.Logf("%s: rejected as expected: %.160s", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
			}
		}
	})
}

// TestOpenAPIReviewResponses drives the review queue, leasing, decisions,
// supplements and appeals, the payout batches with their transfer files,
// the audit trail and the statistics, with their main error statuses, on
// both dialects, and validates each request and response.
func TestOpenAPIReviewResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		f := newReviewFixture(t, e)
		ctx := context.Background()
		alice, bob, op := bearer(f.alice), bearer(f.bob), bearer(f.operator)
		rev, rev2, sup, sup2 := bearer(f.reviewer), bearer(f.reviewer2), bearer(f.supervisor), bearer(f.supervisor2)
		const (
			queue   = "/api/v1/review/queue"
			next    = "/api/v1/review/next"
			claimsP = "/api/v1/claims/"
			unknown = "0190d5c1-0000-7000-8000-000000000000"
			batches = "/api/v1/payouts/batches"
		)
		ifMatch := func(h []string, tag string) []string { return append(slices.Clone(h), "If-Match", tag) }
		code := func(r response) string { return r.errorCode(t) }

		// Alice and Bob give the same account (both flagged), and Alice
		// files three more claims on another outage.
		a1 := f.file(t, f.alice, "a1", f.claimBody("driver", 0))
		b1 := f.file(t, f.bob, "b1", f.claimBody("driver", 0))
		if a1.status != http.StatusCreated || b1.status != http.StatusCreated {
			t.Fatalf("file: %d %s / %d %s", a1.status, a1.body, b1.status, b1.body)
		}
		f.fileMany(t, 3)
		aliceID := e.call(t, "GET", "/api/v1/me", nil, alice...).json(t)["id"].(string)
		bobClaim := b1.json(t)["id"].(string)
		ownerOf := func(id string) []string {
			if id == bobClaim {
				return bob
			}
			return alice
		}
		otherOf := func(id string) []string {
			if id == bobClaim {
				return alice
			}
			return bob
		}

		// The queue: reviewers and supervisors read it, with filters and a
		// cursor; operators do not.
		q := k.exchange(t, e, 200, reqValid, "GET", queue, nil, rev...).json(t)
		if items := q["claims"].([]any); len(items) != 5 || q["next"] != nil {
			t.Fatalf("queue: %d claims, next %v; want all 5 and no cursor", len(items), q["next"])
		}
		flagged := k.exchange(t, e, 200, reqValid, "GET", queue+"?flag=shared_account", nil, rev...).json(t)["claims"].([]any)
		if len(flagged) < 2 {
			t.Errorf("flag=shared_account: %d claims, want at least Alice's and Bob's", len(flagged))
		}
		for _, qs := range []string{"?status=submitted,under_review", "?category=driver", "?outage_id=" + f.outageID,
			"?min_krw=0&max_krw=1000000", "?older_than_days=0", "?flag=burst_from_address"} {
			k.exchange(t, e, 200, reqValid, "GET", queue+qs, nil, rev...)
		}
		page := k.exchange(t, e, 200, reqValid, "GET", queue+"?limit=3", nil, sup...).json(t)
		cursor, _ := page["next"].(string)
		if cursor == "" {
			t.Fatalf("first page of 3 of 5: next %v, want a cursor", page["next"])
		}
		if rest := k.exchange(t, e, 200, reqValid, "GET", queue+"?limit=3&next="+cursor, nil, sup...).json(t)["claims"].([]any); len(rest) != 2 {
			t.Errorf("second page: %d claims, want 2", len(rest))
		}
		k.exchange(t, e, 403, reqValid, "GET", queue, nil, op...)
		for _, qs := range []string{"?limit=0", "?limit=501", "?min_krw=-1", "?max_krw=lots", "?older_than_days=soon"} {
			k.exchange(t, e, 422, reqInvalid, "GET", queue+qs, nil, rev...)
		}
		// The server matches an unknown status or flag against nothing; the
		// document lists the known ones.
		for _, qs := range []string{"?status=lost", "?flag=suspicious"} {
			if got := k.exchange(t, e, 200, reqInvalid, "GET", queue+qs, nil, rev...).json(t)["claims"].([]any); len(got) != 0 {
				t.Errorf("queue%s: %d claims, want none", qs, len(got))
			}
		}
		k.exchange(t, e, 422, reqValid, "GET", queue+"?next="+unknown, nil, rev...)
		k.exchange(t, e, 403, reqValid, "GET", queue, nil, alice...)
		k.exchange(t, e, 401, reqValid, "GET", queue, nil)

		// Lease: reviewers and supervisors only.
		k.exchange(t, e, 403, reqValid, "POST", next, nil, alice...)
		k.exchange(t, e, 403, reqValid, "POST", next, nil, op...)
		k.exchange(t, e, 401, reqValid, "POST", next, nil)
		r := k.exchange(t, e, 200, reqValid, "POST", next, nil, rev...)
		c1 := r.json(t)
		id1, tag1 := c1["id"].(string), r.header.Get("ETag")
		if c1["status"] != "under_review" || tag1 == "" {
			t.Fatalf("lease: status %v, ETag %q; want under_review with an ETag", c1["status"], tag1)
		}
		stale := fmt.Sprintf(`"%d"`, int(c1["version"].(float64))-1)

		// Decide: If-Match required, fresh, the right person, a valid body.
		decide := claimsP + id1 + "/decisions"
		approve := map[string]any{"outcome": "approve", "amount_krw": 600_000}
		if c := code(k.exchange(t, e, 428, reqInvalid, "POST", decide, approve, rev...)); c != "precondition_required" {
			t.Errorf("no If-Match: code %q, want precondition_required", c)
		}
		k.exchange(t, e, 412, reqValid, "POST", decide, approve, ifMatch(rev, "bogus")...)
		k.exchange(t, e, 412, reqValid, "POST", decide, approve, ifMatch(rev, "W/"+tag1)...)
		k.exchange(t, e, 412, reqValid, "POST", decide, approve, ifMatch(rev, stale)...)
		k.exchange(t, e, 400, reqInvalid, "POST", decide, `{"outcome":`, ifMatch(rev, tag1)...)
		k.exchange(t, e, 415, reqInvalid, "POST", decide, `outcome=approve`, append(ifMatch(rev, tag1), "Content-Type", "text/plain")...)
		k.exchange(t, e, 403, reqValid, "POST", decide, approve, ifMatch(alice, tag1)...)
		k.exchange(t, e, 403, reqValid, "POST", decide, approve, ifMatch(op, tag1)...)
		k.exchange(t, e, 401, reqValid, "POST", decide, approve, ifMatch(nil, tag1)...)
		k.exchange(t, e, 404, reqValid, "POST", claimsP+unknown+"/decisions", approve, ifMatch(rev, `"1"`)...)
		k.exchange(t, e, 409, reqValid, "POST", decide, approve, ifMatch(rev2, tag1)...) // Rev holds the lease
		k.exchange(t, e, 422, reqValid, "POST", decide, map[string]any{"outcome": "partial"}, ifMatch(rev, tag1)...)
		k.exchange(t, e, 422, reqValid, "POST", decide, map[string]any{"outcome": "request_supplement", "note": " "}, ifMatch(rev, tag1)...)
		k.exchange(t, e, 422, reqInvalid, "POST", decide, map[string]any{"outcome": "maybe"}, ifMatch(rev, tag1)...)
		k.exchange(t, e, 422, reqInvalid, "POST", decide, map[string]any{"outcome": "reject", "reason_code": "bored"}, ifMatch(rev, tag1)...)
		k.exchange(t, e, 422, reqInvalid, "POST", decide, map[string]any{"outcome": "approve", "amount_krw": -5}, ifMatch(rev, tag1)...)
		// Above the authority limit: a second approval, never by the first
		// decider's level or person.
		r = k.exchange(t, e, 201, reqValid, "POST", decide, approve, ifMatch(rev, tag1)...)
		if r.json(t)["status"] != "pending_second_approval" {
			t.Fatalf("approve ₩600,000: status %v, want pending_second_approval", r.json(t)["status"])
		}
		tag := r.header.Get("ETag")
		k.exchange(t, e, 403, reqValid, "POST", decide, map[string]any{"outcome": "approve"}, ifMatch(rev, tag)...)
		r = k.exchange(t, e, 201, reqValid, "POST", decide, map[string]any{"outcome": "approve"}, ifMatch(sup, tag)...)
		if r.json(t)["status"] != "approved" {
			t.Fatalf("second approval: status %v, want approved", r.json(t)["status"])
		}
		tag = r.header.Get("ETag")
		k.exchange(t, e, 409, reqValid, "POST", decide, map[string]any{"outcome": "approve"}, ifMatch(rev, tag)...) // already decided

		// The decisions: owner and staff, not operators.
		ds := k.exchange(t, e, 200, reqValid, "GET", decide, nil, ownerOf(id1)...).json(t)["decisions"].([]any)
		if len(ds) != 2 || ds[0].(map[string]any)["actor_role"] != "reviewer" || ds[1].(map[string]any)["action"] != "second_approve" {
			t.Errorf("decisions: %v, want the reviewer's approval and the second approval", ds)
		}
		k.exchange(t, e, 200, reqValid, "GET", decide, nil, rev...)
		k.exchange(t, e, 403, reqValid, "GET", decide, nil, op...)
		k.exchange(t, e, 404, reqValid, "GET", decide, nil, otherOf(id1)...)
		k.exchange(t, e, 404, reqValid, "GET", claimsP+unknown+"/decisions", nil, rev...)
		k.exchange(t, e, 401, reqValid, "GET", decide, nil)

		// Ask for a supplement; the owner answers once.
		r = k.exchange(t, e, 200, reqValid, "POST", next, nil, rev...)
		id2, tag2 := r.json(t)["id"].(string), r.header.Get("ETag")
		decide = claimsP + id2 + "/decisions"
		k.exchange(t, e, 422, reqValid, "POST", decide, map[string]any{"outcome": "request_supplement", "note": "영수증을 올려 주세요",
			"due_at": e.now().Add(-time.Hour).Format(time.RFC3339)}, ifMatch(rev, tag2)...)
		r = k.exchange(t, e, 201, reqValid, "POST", decide, map[string]any{"outcome": "request_supplement", "note": "영수증을 올려 주세요",
			"due_at": e.now().Add(72 * time.Hour).Format(time.RFC3339)}, ifMatch(rev, tag2)...)
		if r.json(t)["status"] != "supplement_requested" {
			t.Fatalf("request supplement: status %v", r.json(t)["status"])
		}
		if ds := k.exchange(t, e, 200, reqValid, "GET", decide, nil, ownerOf(id2)...).json(t)["decisions"].([]any); ds[0].(map[string]any)["due_at"] == nil {
			t.Errorf("supplement request: due_at null in %v", ds)
		}
		supplement := claimsP + id2 + "/supplement"
		answer := map[string]string{"body": "영수증을 올렸습니다"}
		k.exchange(t, e, 409, reqValid, "POST", claimsP+id2+"/appeal", map[string]string{"reason": "이의"}, ownerOf(id2)...) // nothing decided
		k.exchange(t, e, 422, reqInvalid, "POST", supplement, map[string]string{"body": ""}, ownerOf(id2)...)
		k.exchange(t, e, 422, reqValid, "POST", supplement, map[string]string{"body": "  "}, ownerOf(id2)...)
		k.exchange(t, e, 400, reqInvalid, "POST", supplement, `{"body":`, ownerOf(id2)...)
		k.exchange(t, e, 403, reqValid, "POST", supplement, answer, rev...)
		k.exchange(t, e, 404, reqValid, "POST", supplement, answer, otherOf(id2)...)
		k.exchange(t, e, 401, reqValid, "POST", supplement, answer)
		if got := k.exchange(t, e, 200, reqValid, "POST", supplement, answer, ownerOf(id2)...).json(t)["status"]; got != "submitted" {
			t.Errorf("answer: status %v, want submitted", got)
		}
		k.exchange(t, e, 409, reqValid, "POST", supplement, answer, ownerOf(id2)...)

		// A supervisor's large approval: not the same supervisor again; the
		// other may reject it.
		r = k.exchange(t, e, 200, reqValid, "POST", next, nil, sup...)
		id3 := r.json(t)["id"].(string)
		decide = claimsP + id3 + "/decisions"
		tag = k.exchange(t, e, 201, reqValid, "POST", decide, map[string]any{"outcome": "approve", "amount_krw": 700_000}, ifMatch(sup, r.header.Get("ETag"))...).header.Get("ETag")
		k.exchange(t, e, 403, reqValid, "POST", decide, map[string]any{"outcome": "approve"}, ifMatch(sup, tag)...)
		k.exchange(t, e, 201, reqValid, "POST", decide, map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence", "note": "근거 부족"}, ifMatch(sup2, tag)...)

		// The rest: approve, partially approve, reject.
		decided := map[string]string{}
		for _, body := range []map[string]any{{"outcome": "approve", "amount_krw": 10_000},
			{"outcome": "partial", "amount_krw": 5_000, "reason_code": "substitute_available", "note": "대체 수단"},
			{"outcome": "reject", "reason_code": "duplicate"}} {
			r := k.exchange(t, e, 200, reqValid, "POST", next, nil, rev...)
			decided[body["outcome"].(string)] = r.json(t)["id"].(string)
			k.exchange(t, e, 201, reqValid, "POST", claimsP+r.json(t)["id"].(string)+"/decisions", body, ifMatch(rev, r.header.Get("ETag"))...)
		}
		// Each carries its outcome, in the claim and in the list.
		partial := k.exchange(t, e, 200, reqValid, "GET", claimsP+decided["partial"], nil, ownerOf(decided["partial"])...).json(t)
		if o, _ := partial["outcome"].(map[string]any); o == nil || o["decision"] != "partial" || o["amount_krw"] != float64(5_000) ||
			o["reason_code"] != "substitute_available" || o["reason_text"] != "대체 수단 있음" || partial["payment"] != nil {
			t.Errorf("partially approved claim: outcome %v, payment %v; want partial ₩5,000 for substitute_available, no payment", partial["outcome"], partial["payment"])
		}
		k.exchange(t, e, 200, reqValid, "GET", "/api/v1/claims", nil, alice...)
		// Appeal the decision: the owner, once.
		appeal := claimsP + id1 + "/appeal"
		k.exchange(t, e, 422, reqInvalid, "POST", appeal, map[string]string{"reason": ""}, ownerOf(id1)...)
		k.exchange(t, e, 422, reqValid, "POST", appeal, map[string]string{"reason": "   "}, ownerOf(id1)...)
		k.exchange(t, e, 422, reqInvalid, "POST", appeal, map[string]string{}, ownerOf(id1)...)
		k.exchange(t, e, 400, reqInvalid, "POST", appeal, `{"reason":`, ownerOf(id1)...)
		k.exchange(t, e, 415, reqInvalid, "POST", appeal, `reason=x`, append(slices.Clone(ownerOf(id1)), "Content-Type", "text/plain")...)
		k.exchange(t, e, 403, reqValid, "POST", appeal, map[string]string{"reason": "이의"}, rev...)
		k.exchange(t, e, 404, reqValid, "POST", appeal, map[string]string{"reason": "이의"}, otherOf(id1)...)
		k.exchange(t, e, 404, reqValid, "POST", claimsP+unknown+"/appeal", map[string]string{"reason": "이의"}, alice...)
		k.exchange(t, e, 401, reqValid, "POST", appeal, map[string]string{"reason": "이의"})
		if got := k.exchange(t, e, 200, reqValid, "POST", appeal, map[string]string{"reason": "금액이 부족합니다"}, ownerOf(id1)...).json(t)["status"]; got != "appealed" {
			t.Errorf("appeal: status %v, want appealed", got)
		}
		k.exchange(t, e, 409, reqValid, "POST", appeal, map[string]string{"reason": "다시"}, ownerOf(id1)...)

		// Only the appeal is left, and never for the reviewer who decided it.
		k.exchange(t, e, 204, reqValid, "POST", next, nil, rev...)
		if got := k.exchange(t, e, 200, reqValid, "POST", next, nil, rev2...).json(t)["id"]; got != id1 {
			t.Errorf("another reviewer leased %v, want the appeal %s", got, id1)
		}
		k.exchange(t, e, 204, reqValid, "POST", next, nil, rev2...)
		// An appeal with a file, in one step (multipart/form-data); a file
		// of a type not accepted appeals nothing.
		rejected := decided["reject"]
		ctype, form := appealForm(t, "서류를 다시 냈습니다", "other", "page.html", []byte("<html>x</html>"))
		k.exchangeRaw(t, e, 415, reqValid, "POST", claimsP+rejected+"/appeal", ctype, form, ownerOf(rejected)...)
		ctype, form = appealForm(t, "서류를 다시 냈습니다", "billing", "receipt.png", pngBytes(64))
		appealed := k.exchangeRaw(t, e, 200, reqValid, "POST", claimsP+rejected+"/appeal", ctype, form, ownerOf(rejected)...).json(t)
		if appealed["status"] != "appealed" || len(appealed["evidence"].([]any)) != 1 {
			t.Errorf("appeal with a file: status %v, evidence %v; want appealed with the file", appealed["status"], appealed["evidence"])
		}
		// Lease a chosen claim: the appeal, not for its decider; held, it
		// names its holder; a decided claim has nothing to take.
		leaseP := "/api/v1/review/claims/" + rejected + "/lease"
		k.exchange(t, e, 403, reqValid, "POST", leaseP, nil, rev...)
		k.exchange(t, e, 403, reqValid, "POST", leaseP, nil, alice...)
		k.exchange(t, e, 403, reqValid, "POST", leaseP, nil, op...)
		k.exchange(t, e, 401, reqValid, "POST", leaseP, nil)
		k.exchange(t, e, 404, reqValid, "POST", "/api/v1/review/claims/"+unknown+"/lease", nil, rev2...)
		if got := k.exchange(t, e, 200, reqValid, "POST", leaseP, nil, rev2...).json(t)["status"]; got != "under_review" {
			t.Errorf("leasing the appeal: status %v, want under_review", got)
		}
		if c := code(k.exchange(t, e, 409, reqValid, "POST", leaseP, nil, sup...)); c != "lease_held" {
			t.Errorf("leasing a held claim: code %q, want lease_held", c)
		}
		if c := code(k.exchange(t, e, 409, reqValid, "POST", "/api/v1/review/claims/"+decided["approve"]+"/lease", nil, rev2...)); c != "not_reviewable" {
			t.Errorf("leasing an approved claim: code %q, want not_reviewable", c)
		}
		// Bulk decisions: each claim's result, refusals included.
		bulkP := "/api/v1/review/bulk-decisions"
		k.exchange(t, e, 422, reqInvalid, "POST", bulkP, map[string]any{"claim_ids": []string{}, "outcome": "approve"}, rev2...)
		k.exchange(t, e, 422, reqValid, "POST", bulkP, map[string]any{"claim_ids": []string{decided["approve"]}, "outcome": "reject"}, rev2...)
		k.exchange(t, e, 400, reqInvalid, "POST", bulkP, `{"claim_ids":`, rev2...)
		k.exchange(t, e, 403, reqValid, "POST", bulkP, map[string]any{"claim_ids": []string{decided["approve"]}, "outcome": "approve"}, op...)
		k.exchange(t, e, 401, reqValid, "POST", bulkP, map[string]any{"claim_ids": []string{decided["approve"]}, "outcome": "approve"})
		res := k.exchange(t, e, 200, reqValid, "POST", bulkP, map[string]any{"claim_ids": []string{decided["approve"], unknown}, "outcome": "approve"}, rev2...).json(t)["results"].([]any)
		if len(res) != 2 || res[0].(map[string]any)["status"] != nil || res[1].(map[string]any)["error"] == nil {
			t.Errorf("bulk on a decided and an unknown claim: %v, want both left with a reason", res)
		}

		// Payout batches: supervisors only.
		k.exchange(t, e, 403, reqValid, "POST", batches, nil, rev...)
		k.exchange(t, e, 403, reqValid, "POST", batches, nil, alice...)
		k.exchange(t, e, 401, reqValid, "POST", batches, nil)
		k.exchange(t, e, 422, reqInvalid, "POST", batches, map[string]string{"outage_id": "nope"}, sup...)
		k.exchange(t, e, 400, reqInvalid, "POST", batches, `{"outage_id":`, sup...)
		k.exchange(t, e, 415, reqInvalid, "POST", batches, `outage_id=x`, append(slices.Clone(sup), "Content-Type", "text/plain")...)
		r = k.exchange(t, e, 201, reqValid, "POST", batches, nil, sup...)
		batch := r.json(t)
		bid := batch["id"].(string)
		if r.header.Get("Location") != batches+"/"+bid || batch["item_count"] != float64(2) || batch["outage_id"] != nil {
			t.Fatalf("build: Location %q, batch %s; want 2 transfers over every outage", r.header.Get("Location"), r.body)
		}
		if c := code(k.exchange(t, e, 422, reqValid, "POST", batches, nil, sup...)); c != "nothing_to_pay" {
			t.Errorf("empty build: code %q, want nothing_to_pay", c)
		}
		k.exchange(t, e, 422, reqValid, "POST", batches, map[string]string{"outage_id": f.outageID}, sup...)
		batchP := batches + "/" + bid
		pg := k.exchange(t, e, 200, reqValid, "GET", batchP+"?limit=1", nil, sup...).json(t)
		itemCursor, _ := pg["next"].(string)
		if itemCursor == "" {
			t.Fatalf("first page of 1 of 2 transfers: %v, want a cursor", pg)
		}
		if last := k.exchange(t, e, 200, reqValid, "GET", batchP+"?limit=1&next="+itemCursor, nil, sup...).json(t); last["next"] != nil {
			t.Errorf("last page of transfers: next %v, want none", last["next"])
		}
		items := k.exchange(t, e, 200, reqValid, "GET", batchP, nil, sup...).json(t)["items"].([]any)
		for _, qs := range []string{"?limit=0", "?limit=1001", "?limit=x"} {
			k.exchange(t, e, 422, reqInvalid, "GET", batchP+qs, nil, sup...)
		}
		k.exchange(t, e, 404, reqValid, "GET", batches+"/"+unknown, nil, sup...)
		k.exchange(t, e, 404, reqValid, "GET", batches+"/nope", nil, sup...)
		k.exchange(t, e, 403, reqValid, "GET", batchP, nil, rev...)
		k.exchange(t, e, 401, reqValid, "GET", batchP, nil)

		// The transfer files: a reason, then bytes.
		for _, ext := range []string{"csv", "xlsx"} {
			x := batchP + "/export." + ext
			dl := k.exchange(t, e, 200, reqValid, "GET", x+"?reason=bank+transfer", nil, sup...)
			magic := map[string]string{"csv": "\uFEFF", "xlsx": "PK"}[ext]
			if !bytes.HasPrefix(dl.body, []byte(magic)) {
				t.Errorf("export.%s starts %q, want %q", ext, dl.body[:min(4, len(dl.body))], magic)
			}
			k.exchange(t, e, 422, reqInvalid, "GET", x, nil, sup...)
			k.exchange(t, e, 422, reqValid, "GET", x+"?reason=%20%20", nil, sup...)
			k.exchange(t, e, 422, reqInvalid, "GET", x+"?reason="+strings.Repeat("a", 501), nil, sup...)
			k.exchange(t, e, 404, reqValid, "GET", batches+"/"+unknown+"/export."+ext+"?reason=x", nil, sup...)
			k.exchange(t, e, 403, reqValid, "GET", x+"?reason=x", nil, rev...)
			k.exchange(t, e, 401, reqValid, "GET", x+"?reason=x", nil)
		}

		// Settle: paid once, failed for the other; the batch is then settled.
		paidP := batchP + "/paid"
		first, second := items[0].(map[string]any)["claim_id"].(string), items[1].(map[string]any)["claim_id"].(string)
		settle := func(id, status, ref string) map[string]any {
			return map[string]any{"items": []map[string]string{{"claim_id": id, "status": status, "reference": ref}}}
		}
		k.exchange(t, e, 422, reqInvalid, "POST", paidP, map[string]any{"items": []any{}}, sup...)
		k.exchange(t, e, 422, reqInvalid, "POST", paidP, settle(first, "lost", "TX-1"), sup...)
		k.exchange(t, e, 422, reqInvalid, "POST", paidP, settle("c1", "paid", "TX-1"), sup...)
		k.exchange(t, e, 422, reqInvalid, "POST", paidP, settle(first, "paid", strings.Repeat("x", 201)), sup...)
		k.exchange(t, e, 422, reqValid, "POST", paidP, settle(first, "paid", " "), sup...)
		k.exchange(t, e, 422, reqValid, "POST", paidP, settle(unknown, "paid", "TX-1"), sup...)
		k.exchange(t, e, 400, reqInvalid, "POST", paidP, `{"items":`, sup...)
		k.exchange(t, e, 404, reqValid, "POST", batches+"/"+unknown+"/paid", settle(first, "paid", "TX-1"), sup...)
		k.exchange(t, e, 403, reqValid, "POST", paidP, settle(first, "paid", "TX-1"), rev...)
		k.exchange(t, e, 401, reqValid, "POST", paidP, settle(first, "paid", "TX-1"))
		for i, want := range []bool{true, false} {
			rep := k.exchange(t, e, 200, reqValid, "POST", paidP, settle(first, "paid", "TX-1"), sup...).json(t)
			if got := rep["items"].([]any)[0].(map[string]any)["changed"]; got != want || rep["batch_status"] != "open" {
				t.Errorf("mark paid, time %d: %v, want changed %v and the batch open", i+1, rep, want)
			}
		}
		k.exchange(t, e, 409, reqValid, "POST", paidP, settle(first, "failed", ""), sup...)
		if rep := k.exchange(t, e, 200, reqValid, "POST", paidP, settle(second, "failed", "계좌 해지"), sup...).json(t); rep["batch_status"] != "settled" {
			t.Errorf("mark failed: %v, want the batch settled", rep)
		}
		k.exchange(t, e, 409, reqValid, "GET", batchP+"/export.csv?reason=again", nil, sup...)
		realPaid := k.exchange(t, e, 200, reqValid, "GET", claimsP+first, nil, ownerOf(first)...)
		if pay, _ := realPaid.json(t)["payment"].(map[string]any); pay == nil || pay["reference"] != "TX-1" {
			t.Errorf("paid claim: payment %v, want the transfer TX-1", realPaid.json(t)["payment"])
		}

		// The audit trail: seal what is there, then add an unsealed entry.
		if _, err := e.audit.Seal(ctx, 0); err != nil {
			t.Fatal(err)
		}
		k.exchange(t, e, 200, reqValid, "GET", claimsP+id1, nil, sup...) // a staff view, recorded
		const auditP = "/api/v1/audit"
		list := k.exchange(t, e, 200, reqValid, "GET", auditP, nil, sup...).json(t)["entries"].([]any)
		var sealed, unsealed int
		for _, en := range list {
			if en.(map[string]any)["chain_pos"] == nil {
				unsealed++
			} else {
				sealed++
			}
		}
		if sealed == 0 || unsealed == 0 {
			t.Errorf("audit: %d sealed and %d unsealed entries, want both", sealed, unsealed)
		}
		for _, qs := range []string{"?entity=claim&id=" + id1, "?entity=payout_batch", "?subject=" + aliceID, "?entity=claim&id=" + id1 + "&subject=" + aliceID} {
			if got := k.exchange(t, e, 200, reqValid, "GET", auditP+qs, nil, sup...).json(t)["entries"].([]any); len(got) == 0 {
				t.Errorf("audit%s: no entries", qs)
			}
		}
		ap := k.exchange(t, e, 200, reqValid, "GET", auditP+"?limit=2", nil, sup...).json(t)
		auditCursor, _ := ap["next"].(string)
		if auditCursor == "" {
			t.Fatalf("audit page of 2: next %v, want a cursor", ap["next"])
		}
		k.exchange(t, e, 200, reqValid, "GET", auditP+"?limit=2&next="+auditCursor, nil, sup...)
		for _, qs := range []string{"?limit=0", "?limit=501", "?next=abc", "?next=0", "?subject=nope"} {
			k.exchange(t, e, 422, reqInvalid, "GET", auditP+qs, nil, sup...)
		}
		k.exchange(t, e, 422, reqValid, "GET", auditP+"?id="+id1, nil, sup...)
		k.exchange(t, e, 403, reqValid, "GET", auditP, nil, rev...)
		k.exchange(t, e, 401, reqValid, "GET", auditP, nil)
		verify := k.exchange(t, e, 200, reqValid, "GET", auditP+"/verify", nil, sup...)
		if v := verify.json(t); v["ok"] != true || v["first_broken"] != nil || v["entries"].(float64) < 1 || v["unsealed"].(float64) < 1 {
			t.Errorf("verify: %s, want ok with sealed and unsealed entries", verify.body)
		}
		k.exchange(t, e, 403, reqValid, "GET", auditP+"/verify", nil, rev...)
		k.exchange(t, e, 401, reqValid, "GET", auditP+"/verify", nil)

		// The numbers: staff only, one outage or all.
		const statsP = "/api/v1/stats"
		for _, tok := range [][]string{rev, sup, op} {
			st := k.exchange(t, e, 200, reqValid, "GET", statsP, nil, tok...).json(t)
			if st["claims"] != float64(5) || st["outage_id"] != nil {
				t.Errorf("stats: claims %v, outage_id %v; want 5 over every outage", st["claims"], st["outage_id"])
			}
		}
		if st := k.exchange(t, e, 200, reqValid, "GET", statsP+"?outage_id="+f.outageID, nil, rev...).json(t); st["outage_id"] != f.outageID {
			t.Errorf("stats of one outage: outage_id %v", st["outage_id"])
		}
		k.exchange(t, e, 404, reqValid, "GET", statsP+"?outage_id="+unknown, nil, rev...)
		k.exchange(t, e, 404, reqValid, "GET", statsP+"?outage_id=nope", nil, rev...)
		k.exchange(t, e, 403, reqValid, "GET", statsP, nil, alice...)
		k.exchange(t, e, 401, reqValid, "GET", statsP, nil)

		// The schemas can fail: real bodies edited.
		realQueue := k.exchange(t, e, 200, reqValid, "GET", queue+"?status=appealed,rejected,approved,partially_approved,paid", nil, rev...)
		realDecisions := k.exchange(t, e, 200, reqValid, "GET", claimsP+id1+"/decisions", nil, rev...)
		realBatch := k.exchange(t, e, 200, reqValid, "GET", batchP, nil, sup...)
		realStats := k.exchange(t, e, 200, reqValid, "GET", statsP, nil, rev...)
		realVerify := verify
		edit := func(r response, fn func(m map[string]any)) []byte {
			m := r.json(t)
			fn(m)
			b, _ := json.Marshal(m)
			return b
		}
		broken := edit(realVerify, func(m map[string]any) {
			m["ok"], m["first_broken"] = false, map[string]any{"chain_pos": 3, "id": "", "reason": "gap: chain position 3 is missing (an entry was deleted)"}
		})
		if err := k.validateResponse(t, "GET", auditP+"/verify", 200, realVerify.header, broken); err != nil {
			t.Errorf("a broken chain's verification fails validation: %v", err)
		}
		noCache := realStats.header.Clone()
		noCache.Del("Cache-Control")
		first0 := func(m map[string]any, key string) map[string]any { return m[key].([]any)[0].(map[string]any) }
		for _, c := range []struct {
			name, path string
			header     http.Header
			body       []byte
		}{
			{"queue: unknown flag", queue, realQueue.header, edit(realQueue, func(m map[string]any) { first0(m, "claims")["flags"] = []string{"suspicious"} })},
			{"queue: no lease_expires_at", queue, realQueue.header, edit(realQueue, func(m map[string]any) { delete(first0(m, "claims"), "lease_expires_at") })},
			{"queue: claimant shown", queue, realQueue.header, edit(realQueue, func(m map[string]any) { first0(m, "claims")["claimant_id"] = aliceID })},
			{"decision: unknown reason", claimsP + id1 + "/decisions", realDecisions.header, edit(realDecisions, func(m map[string]any) { first0(m, "decisions")["reason_code"] = "bored" })},
			{"decision: unknown action", claimsP + id1 + "/decisions", realDecisions.header, edit(realDecisions, func(m map[string]any) { first0(m, "decisions")["action"] = "lease" })},
			{"decision: actor id shown", claimsP + id1 + "/decisions", realDecisions.header, edit(realDecisions, func(m map[string]any) { first0(m, "decisions")["actor_id"] = aliceID })},
			{"batch: item status", batchP, realBatch.header, edit(realBatch, func(m map[string]any) { first0(m, "items")["status"] = "lost" })},
			{"batch: no outage_id", batchP, realBatch.header, edit(realBatch, func(m map[string]any) { delete(m, "outage_id") })},
			{"stats: a status missing", statsP, realStats.header, edit(realStats, func(m map[string]any) { delete(m["by_status"].(map[string]any), "paid") })},
			{"stats: unknown bucket", statsP, realStats.header, edit(realStats, func(m map[string]any) {
				m["backlog"].(map[string]any)["buckets"].([]any)[0].(map[string]any)["bucket"] = "ancient"
			})},
			{"stats: no Cache-Control", statsP, noCache, realStats.body},
			{"claim: unknown decision", claimsP + first, realPaid.header, edit(realPaid, func(m map[string]any) { m["outcome"].(map[string]any)["decision"] = "maybe" })},
			{"claim: payment without reference", claimsP + first, realPaid.header, edit(realPaid, func(m map[string]any) { delete(m["payment"].(map[string]any), "reference") })},
			{"claim: no outcome field", claimsP + first, realPaid.header, edit(realPaid, func(m map[string]any) { delete(m, "outcome") })},
			{"verify: bad reason", auditP + "/verify", realVerify.header, edit(realVerify, func(m map[string]any) {
				m["ok"], m["first_broken"] = false, map[string]any{"chain_pos": 3, "id": "", "reason": "looks odd"}
			})},
			{"verify: head not a hash", auditP + "/verify", realVerify.header, edit(realVerify, func(m map[string]any) { m["head"] = "xyz" })},
		} {
			if err := k.validateResponse(t, "GET", c.path, 200, c.header, c.body); err == nil {
				t.Errorf("%s: GET %s passed validation, want an error", c.name, c.path)
			} else {
				t.Logf("%s: rejected as expected: %.160s", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
			}
		}
	})
}
