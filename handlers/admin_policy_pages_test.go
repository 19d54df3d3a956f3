package handlers_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestAdminPolicyPages: an admin lists the versions, sees two side by
// side as readable rules, gets every problem of a bad policy JSON on the
// form, previews a good one (each category old -> new and how many open
// claims it re-prices) and publishes it; others get 403.
func TestAdminPolicyPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		if r := f.file(t, f.alice, "k1", f.claimBody("driver", 0)); r.status != http.StatusCreated {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		e.createStaff(t, "rev@example.com", "reviewer")
		if p := getPage(t, e, loginBrowser(t, e, "rev@example.com"), "/admin/policies", ""); p.status != http.StatusForbidden {
			t.Fatalf("reviewer on /admin/policies: got %d, want 403", p.status)
		}
		e.createStaff(t, "admin@example.com", "admin")
		b := loginBrowser(t, e, "admin@example.com")

		p := getPage(t, e, b, "/admin/policies/new", "en")
		m := regexp.MustCompile(`(?s)<textarea id="policy"[^>]*>(.*?)</textarea>`).FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			t.Fatalf("new policy form: got %d without the JSON", p.status)
		}
		var pol map[string]any
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &pol); err != nil {
			t.Fatalf("the form's JSON: %v", err)
		}
		tok := csrfInput.FindStringSubmatch(p.body)[1]

		bad := postPage(t, e, b, "/admin/policies/preview", url.Values{"csrf_token": {tok}, "policy": {`{"name": "x",`}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="problems"`) || !strings.Contains(bad.body, `id="policy-error"`) {
			t.Fatalf("broken JSON: got %d, want 422 with the problem list and the field's error", bad.status)
		}
		pol["name"] = ""
		pol["filing_window_days"] = -1
		raw, _ := json.Marshal(pol)
		bad = postPage(t, e, b, "/admin/policies/preview", url.Values{"csrf_token": {tok}, "policy": {string(raw)}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "name: ") || !strings.Contains(bad.body, "filing_window_days: ") {
			t.Fatalf("an invalid policy: got %d, want 422 naming name and filing_window_days", bad.status)
		}

		pol["name"] = "택시 상향"
		pol["filing_window_days"] = 60
		cats := pol["categories"].(map[string]any)
		cats["driver"].(map[string]any)["cap_krw"] = 123000
		raw, _ = json.Marshal(pol)
		pv := postPage(t, e, b, "/admin/policies/preview", url.Values{"csrf_token": {tok}, "policy": {string(raw)}})
		if pv.status != http.StatusOK || !strings.Contains(pv.body, `id="publish-form"`) {
			t.Fatalf("preview: got %d, want the confirm form", pv.status)
		}
		if got := regexp.MustCompile(`id="preview-repriced">([^<]*)<`).FindStringSubmatch(pv.body); got == nil || !strings.Contains(got[1], "1건") {
			t.Fatalf("preview: repriced %v, want 1 open claim", got)
		}
		if !strings.Contains(pv.body, "상한 ₩123,000") || strings.Count(pv.body, `class="changed"`) != 1 {
			t.Fatalf("preview: want the driver rule with its new cap as the one changed category")
		}
		var n int64
		if err := countRows(e.db, "policies", &n); err != nil || n != 1 {
			t.Fatalf("policies after a preview: %d (%v), want 1 (nothing published)", n, err)
		}

		confirm := regexp.MustCompile(`name="policy" value="([^"]*)"`).FindStringSubmatch(pv.body)
		pub := postPage(t, e, b, "/admin/policies", url.Values{"csrf_token": {tok}, "policy": {html.UnescapeString(confirm[1])}})
		if pub.status != http.StatusSeeOther || pub.location != "/admin/policies?done=published&version=2" {
			t.Fatalf("publish: got %d to %q", pub.status, pub.location)
		}
		list := getPage(t, e, b, pub.location, "")
		if !strings.Contains(list.body, `id="notice"`) || !strings.Contains(list.body, "택시 상향") {
			t.Fatal("the list after publishing: want the notice and the new version")
		}
		cmp := getPage(t, e, b, "/admin/policies/compare?a=1&b=2", "en")
		if cmp.status != http.StatusOK || !strings.Contains(cmp.body, "capped at ₩123,000") || strings.Count(cmp.body, `class="changed"`) != 1 ||
			!strings.Contains(cmp.body, "60 days after the outage ends") {
			t.Fatalf("compare v1 and v2: got %d, want the rules side by side with the driver's changed", cmp.status)
		}
		if p := getPage(t, e, b, "/admin/policies/compare?a=1&b=9", ""); p.status != http.StatusNotFound {
			t.Fatalf("compare with a missing version: got %d, want 404", p.status)
		}
		ps, err := e.claims.Policies(context.Background())
		if err != nil || len(ps) != 2 || ps[1].Name != "택시 상향" {
			t.Fatalf("published policies: %v (%v)", len(ps), err)
		}
	})
}
