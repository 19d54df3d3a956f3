package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestIfMatch: any entity tag that is not the claim's or outage's current
// version is 412 (RFC 9110 section 13.1.1), never 400; * matches what is
// there; a decision without the field is 428.
func TestIfMatch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 9)
		approve := map[string]any{"outcome": "approve", "amount_krw": 1000}
		const unknown = "0190d5c1-0000-7000-8000-000000000000"
		for _, c := range []struct {
			name   string
			tag    func(current string) string // "" sends no If-Match
			status int
		}{
			{"missing", func(string) string { return "" }, http.StatusPreconditionRequired},
			{"never issued", func(string) string { return `"abc"` }, http.StatusPreconditionFailed},
			{"not an entity tag", func(string) string { return "abc" }, http.StatusPreconditionFailed},
			{"weak", func(string) string { return `W/"x"` }, http.StatusPreconditionFailed},
			{"weak form of the current tag", func(cur string) string { return "W/" + cur }, http.StatusPreconditionFailed},
			{"stale", func(cur string) string { return stale(t, cur) }, http.StatusPreconditionFailed},
			{"current", func(cur string) string { return cur }, http.StatusCreated},
			{"star", func(string) string { return "*" }, http.StatusCreated},
			{"a list holding the current", func(cur string) string { return `"abc", ` + stale(t, cur) + ", " + cur }, http.StatusCreated},
		} {
			t.Run("decision/"+c.name, func(t *testing.T) {
				claim, cur := f.next(t, f.reviewer)
				if claim == nil {
					t.Fatal("queue empty")
				}
				id := claim["id"].(string)
				r := f.decide(t, f.reviewer, id, c.tag(cur), approve)
				if r.status != c.status {
					t.Fatalf("If-Match %q on version %s: got %d %s, want %d", c.tag(cur), cur, r.status, r.body, c.status)
				}
			})
		}
		if r := f.decide(t, f.reviewer, unknown, `"abc"`, approve); r.status != http.StatusNotFound {
			t.Errorf("never-issued tag on an unknown claim: %d, want 404", r.status)
		}

		// Outages: If-Match is optional; when sent it must match.
		o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": "2022-10-15T15:30:00+09:00",
			"ended_at": "2022-10-16T14:00:00+09:00", "cause": "fire", "summary": "화재"})
		oid := o.json(t)["id"].(string)
		patch := func(tag string) response {
			h := bearer(f.operator)
			if tag != "" {
				h = append(h, "If-Match", tag)
			}
			return e.call(t, "PATCH", "/api/v1/outages/"+oid, map[string]any{"summary": "화재 " + tag, "reason": "요약 보완"}, h...)
		}
		for _, c := range []struct {
			name, tag string
			status    int
		}{
			{"never issued", `"abc"`, http.StatusPreconditionFailed},
			{"not an entity tag", "bogus", http.StatusPreconditionFailed},
			{"weak current", `W/"1"`, http.StatusPreconditionFailed},
			{"current", `"1"`, http.StatusOK},
			{"stale", `"1"`, http.StatusPreconditionFailed},
			{"star", "*", http.StatusOK},
			{"missing", "", http.StatusOK},
			{"list holding the current", `"1", "4"`, http.StatusOK},
		} {
			if r := patch(c.tag); r.status != c.status {
				t.Errorf("outage/%s: If-Match %q: got %d %s, want %d", c.name, c.tag, r.status, r.body, c.status)
			}
		}
		if r := e.call(t, "PATCH", "/api/v1/outages/"+unknown, map[string]any{"summary": "x", "reason": "y"}, append(bearer(f.operator), "If-Match", `"abc"`)...); r.status != http.StatusNotFound {
			t.Errorf("never-issued tag on an unknown outage: %d, want 404", r.status)
		}
		if v := e.call(t, "GET", "/api/v1/outages/"+oid, nil).json(t)["version"]; v != float64(5) {
			t.Errorf("outage version %v after four corrections, want 5", v)
		}
	})
}

// stale is the tag of the version before cur.
func stale(t *testing.T, cur string) string {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(cur, `"%d"`, &n); err != nil {
		t.Fatalf("ETag %q is not a version", cur)
	}
	return fmt.Sprintf(`"%d"`, n-1)
}
