package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestHeadHealthAndReadiness: monitors probe with HEAD; both endpoints
// answer 200 with no body.
func TestHeadHealthAndReadiness(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, path := range []string{"/healthz", "/readyz"} {
			r := e.call(t, http.MethodHead, path, nil)
			if r.status != http.StatusOK || len(r.body) != 0 {
				t.Fatalf("HEAD %s: got %d with %d bytes, want 200 with none", path, r.status, len(r.body))
			}
		}
	})
}

// TestLayoutHeadParts: every page carries a meta description in its
// language, links the favicon (served by the static handler as SVG) and
// turns off htmx's injected inline style, which the CSP (style-src 'self')
// would refuse with a console error.
func TestLayoutHeadParts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		desc := regexp.MustCompile(`<meta name="description" content="([^"]{20,})">`)
		for _, path := range []string{"/", "/login", "/status", "/register", "/no/such/page"} {
			for _, lang := range []string{"ko", "en"} {
				r := e.call(t, "GET", path, nil, "Cookie", "lang="+lang)
				body := string(r.body)
				m := desc.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("%s (%s): no meta description", path, lang)
				}
				if isKorean := strings.ContainsRune(m[1], '보'); isKorean != (lang == "ko") {
					t.Fatalf("%s (%s): description %q is in the wrong language", path, lang, m[1])
				}
				if !strings.Contains(body, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
					t.Fatalf("%s: no favicon link", path)
				}
				if !strings.Contains(body, `<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>`) {
					t.Fatalf("%s: htmx would inject an inline style", path)
				}
			}
		}
		r := e.call(t, "GET", "/static/favicon.svg", nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(r.body), "<svg") {
			t.Fatalf("favicon: got %d %s, want 200 image/svg+xml", r.status, r.header.Get("Content-Type"))
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self';") {
			t.Fatalf("CSP %q: want inline styles refused", csp)
		}
	})
}
