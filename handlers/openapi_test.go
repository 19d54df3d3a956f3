package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/store/dbtest"
)

// documentedRoutes is every route the router serves that belongs in the
// OpenAPI document: the operational endpoints and everything under /api/v1.
// Keep it in step with server.go; TestOpenAPIRoutesDocumented fails when it,
// the document and the router disagree.
var documentedRoutes = []struct{ method, path string }{
	{"GET", "/healthz"},
	{"GET", "/readyz"},
	{"GET", "/metrics"},
	{"GET", "/api/v1/openapi.json"},
	{"POST", "/api/v1/auth/register"},
	{"POST", "/api/v1/auth/login"},
	{"POST", "/api/v1/auth/refresh"},
	{"POST", "/api/v1/auth/logout"},
	{"GET", "/api/v1/me"},
	{"POST", "/api/v1/admin/users"},
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
	resp := e.call(t, method, path, body, headers...)
	if resp.status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.status, resp.body, want)
	}

	// The same request again, for the validator (the harness consumed its own).
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
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
		t.Errorf("%s %s -> %d: response does not match the document: %v\nbody: %s", method, path, resp.status, err, resp.body)
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
	for _, name := range []string{"User", "TokenPair", "Error"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("components.securitySchemes.bearerAuth must be an http bearer scheme")
	}
}

// TestOpenAPIRoutesDocumented fails on drift in either direction between
// documentedRoutes and the document, and when a listed route is not served.
func TestOpenAPIRoutesDocumented(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	doc := servedDoc(t, e)

	listed := map[string][]string{}
	for _, r := range documentedRoutes {
		listed[r.path] = append(listed[r.path], r.method)
		item := doc.Paths.Value(r.path)
		if item == nil || item.GetOperation(r.method) == nil {
			t.Errorf("%s %s is served but not in the OpenAPI document", r.method, r.path)
		}
		// The route exists: the router does not answer with its NoRoute 404.
		resp := e.call(t, r.method, r.path, nil)
		if resp.status == http.StatusNotFound {
			t.Errorf("%s %s is listed but the router answers 404: %s", r.method, r.path, resp.body)
		}
	}
	for path, item := range doc.Paths.Map() {
		methods, ok := listed[path]
		if !ok {
			t.Errorf("the OpenAPI document has %s, which the route list in this test does not", path)
			continue
		}
		for method := range item.Operations() {
			if !slices.Contains(methods, method) {
				t.Errorf("the OpenAPI document has %s %s, which the route list in this test does not", method, path)
			}
		}
	}
	var got []string
	for path := range doc.Paths.Map() {
		got = append(got, path)
	}
	sort.Strings(got)
	t.Logf("documented paths: %s", strings.Join(got, ", "))
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
		k.exchange(t, e, 409, reqValid, "POST", regPath, reg("kim@example.com"))
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

		// Refresh: a new pair, then the spent token again is refused.
		k.exchange(t, e, 200, reqValid, "POST", refresh, map[string]string{"refresh_token": pair.RefreshToken})
		k.exchange(t, e, 401, reqValid, "POST", refresh, map[string]string{"refresh_token": pair.RefreshToken})

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

		// Logout revokes the access token too.
		k.exchange(t, e, 204, reqValid, "POST", logout, nil, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "POST", logout, nil, bearer(pair.AccessToken)...)
		k.exchange(t, e, 401, reqValid, "GET", me, nil, bearer(pair.AccessToken)...)

		// Throttled login: 429 with Retry-After.
		k.exchange(t, e, 201, reqValid, "POST", regPath, reg("lee@example.com"))
		wrong := map[string]string{"email": "lee@example.com", "password": "wrong password here"}
		for range auth.DefaultThrottle.MaxAccount {
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
	for _, c := range []struct {
		name   string
		status int
		body   string
	}{
		{"missing access_token", 200, `{"token_type":"Bearer","expires_in":900,"refresh_token":"r"}`},
		{"extra field", 200, `{"access_token":"a.b.c","token_type":"Bearer","expires_in":900,"refresh_token":"r","user":"x"}`},
		{"wrong token_type", 200, `{"access_token":"a.b.c","token_type":"MAC","expires_in":900,"refresh_token":"r"}`},
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
