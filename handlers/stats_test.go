package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// newStatsEnv is the test environment with the statistics service wired in
// too: the same services and keys, served by a router built with Stats.
func newStatsEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	e := newTestEnv(t, db)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Deps{Auth: e.auth, Outages: e.outages, Claims: e.claims, Review: e.review,
		Stats:   stats.NewService(e.db.Stats(), e.review.Settings().ReviewTarget, e.now),
		Catalog: cat, Ready: db.Ready, CSRFKey: e.jwtKey, Logger: slog.New(slog.DiscardHandler), RefreshTTL: 24 * time.Hour, Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	se := *e
	se.srv = srv
	return &se
}

var statsDataBlock = regexp.MustCompile(`(?s)<script type="application/json" id="stats-data">(.*?)</script>`)

// dashboardChart is the page's JSON data block.
type dashboardChart struct {
	Scope      string `json:"scope"`
	CountLabel string `json:"count_label"`
	Status     struct {
		Labels []string `json:"labels"`
		Counts []int64  `json:"counts"`
	} `json:"status"`
	Category struct {
		Labels []string `json:"labels"`
		Counts []int64  `json:"counts"`
	} `json:"category"`
	Backlog struct {
		Labels []string `json:"labels"`
		Counts []int64  `json:"counts"`
	} `json:"backlog"`
}

func chartOf(t *testing.T, body string) dashboardChart {
	t.Helper()
	m := statsDataBlock.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no stats-data block in the dashboard:\n%s", body)
	}
	var d dashboardChart
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("stats-data is not JSON: %v\n%s", err, m[1])
	}
	return d
}

func i18nFor(t *testing.T, lang string) *i18n.Localizer {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(lang)
}

func sum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}

func TestStatsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newStatsEnv(t, db)
		f := newReviewFixture(t, e)
		if r := f.file(t, f.alice, "k1", f.claimBody("driver", 12_000)); r.status != http.StatusCreated {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		for _, tok := range []string{f.reviewer, f.supervisor, f.operator} {
			for _, q := range []string{"", "?outage_id=" + f.outageID} {
				r := e.call(t, "GET", "/api/v1/stats"+q, nil, bearer(tok)...)
				if r.status != http.StatusOK {
					t.Fatalf("GET /api/v1/stats%s: %d %s", q, r.status, r.body)
				}
				var got stats.Figures
				if err := json.Unmarshal(r.body, &got); err != nil {
					t.Fatal(err)
				}
				if got.Claims != 1 || got.ByCategory["driver"] != 1 || got.Money.RequestedKRW != 12_000 || got.Triage.Monetary != 1 ||
					got.Triage.PaidService != 1 || len(got.Backlog.Buckets) != 5 || got.Backlog.ReviewTargetDays != 14 {
					t.Errorf("stats%s: %s", q, r.body)
				}
				if (q == "") != (got.OutageID == nil) {
					t.Errorf("stats%s: outage_id %v", q, got.OutageID)
				}
				var byStatus int64
				for _, n := range got.ByStatus {
					byStatus += n
				}
				if byStatus != 1 {
					t.Errorf("stats%s: by_status %v sums to %d, want 1", q, got.ByStatus, byStatus)
				}
				// Money fields end in _krw.
				for _, k := range []string{"requested_krw", "estimated_krw", "approved_krw", "paid_krw", "outstanding_krw"} {
					if _, ok := r.json(t)["money"].(map[string]any)[k]; !ok {
						t.Errorf("stats%s: no money.%s in %s", q, k, r.body)
					}
				}
			}
		}
		for _, c := range []struct {
			name, path string
			headers    []string
			want       int
		}{
			{"claimant", "/api/v1/stats", bearer(f.alice), http.StatusForbidden},
			{"anonymous", "/api/v1/stats", nil, http.StatusUnauthorized},
			{"unknown outage", "/api/v1/stats?outage_id=0190a6c4-0000-7000-8000-000000000000", bearer(f.reviewer), http.StatusNotFound},
			{"malformed outage", "/api/v1/stats?outage_id=nope", bearer(f.reviewer), http.StatusNotFound},
		} {
			if r := e.call(t, "GET", c.path, nil, c.headers...); r.status != c.want {
				t.Errorf("%s: got %d %s, want %d", c.name, r.status, r.body, c.want)
			}
		}
	})
}

func TestStatsDashboardPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newStatsEnv(t, db)
		f := newReviewFixture(t, e)
		ctx := context.Background()
		if r := f.file(t, f.alice, "k1", f.claimBody("driver", 12_000)); r.status != http.StatusCreated {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		// A service whose name tries to end the data block.
		hostile := `</script><script>alert("x")</script> & '<!--`
		if _, err := e.outages.CreateService(ctx, outage.NewServiceInput{Code: "evil", Name: hostile, NameEN: hostile, Paid: false,
			Provider: outage.NewProvider{Name: "악당", Kind: "value_added"}, Features: []outage.NewFeature{{Code: "main", Name: "main"}}}); err != nil {
			t.Fatal(err)
		}
		op, err := e.db.UserByEmail(ctx, "op@example.com")
		if err != nil {
			t.Fatal(err)
		}
		start, end := e.now().Add(-5*time.Hour), e.now().Add(-time.Hour)
		evil, err := e.outages.Create(ctx, &models.User{ID: op.ID, Role: models.RoleOperator},
			outage.NewOutage{ServiceID: "evil", Features: []string{"main"}, StartedAt: &start, EndedAt: &end, Cause: "fire", Summary: "x"})
		if err != nil {
			t.Fatal(err)
		}

		driverKO := i18nFor(t, "ko").T("claims.category.driver")
		rev := loginBrowser(t, e, "rev1@example.com")
		p := getPage(t, e, rev, "/dashboard", "")
		if p.status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", p.status, p.body)
		}
		d := chartOf(t, p.body)
		if sum(d.Status.Counts) != 1 || sum(d.Category.Counts) != 1 || len(d.Status.Labels) != len(stats.Statuses) ||
			len(d.Backlog.Counts) != len(stats.Buckets) || d.Scope != "전체 장애" || d.Category.Labels[3] != driverKO || d.Category.Counts[3] != 1 {
			t.Errorf("dashboard data: %+v", d)
		}
		for _, want := range []string{`id="chart-status" role="img" aria-label="`, `id="chart-category" role="img" aria-label="`,
			`id="chart-backlog" role="img" aria-label="`, `<table id="by-status">`, `<table id="by-category">`, `<table id="backlog">`,
			`<td id="stat-claims">1</td>`, `<td id="stat-requested" class="nowrap">₩12,000</td>`, `src="/static/vendor/chart.umd.min.js"`,
			`src="/static/js/dashboard.js"`, `id="nav-dashboard"`, `<option value="` + f.outageID + `">`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Error("dashboard has an inline script or style")
		}
		// Nothing decided yet: the decision times say so, not "0.0시간".
		for _, want := range []string{`<td id="stat-p50" class="nowrap">아직 결정 없음</td>`, "<h1>보상 청구 현황판</h1>", `<div class="dashboard-grid">`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		// Decided: the time to decision in minutes, hours and days.
		c, tag := f.next(t, f.reviewer)
		if r := f.decide(t, f.reviewer, c["id"].(string), tag, map[string]any{"outcome": "approve", "amount_krw": 12000}); r.status != http.StatusCreated {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
		p = getPage(t, e, rev, "/dashboard", "")
		if !regexp.MustCompile(`<td id="stat-p50" class="nowrap">\d+(분|시간( \d+분)?|일( \d+시간)?)</td>`).MatchString(p.body) {
			t.Errorf("the median time to decision is not a duration in 분/시간/일:\n%s", between(t, p.body, `id="stat-p50"`, "</tr>"))
		}
		if p := getPage(t, e, rev, "/dashboard", "en"); !regexp.MustCompile(`<td id="stat-p90" class="nowrap">\d+(m|h( \d+m)?|d( \d+h)?)</td>`).MatchString(p.body) {
			t.Errorf("the English p90 is not a duration in m/h/d:\n%s", between(t, p.body, `id="stat-p90"`, "</tr>"))
		}

		// One outage, in English; the hostile name survives as data only.
		p = getPage(t, e, rev, "/dashboard?outage_id="+evil.ID, "en")
		if p.status != http.StatusOK {
			t.Fatalf("dashboard for one outage: %d %s", p.status, p.body)
		}
		d = chartOf(t, p.body)
		if !strings.HasPrefix(d.Scope, hostile+" (main) · ") || sum(d.Status.Counts) != 0 || d.CountLabel != "Claims" {
			t.Errorf("scope %q, counts %v, count label %q", d.Scope, d.Status.Counts, d.CountLabel)
		}
		if strings.Count(p.body, "</script>") != strings.Count(p.body, "<script") || strings.Contains(p.body, `alert("x")</script>`) {
			t.Errorf("the service name escaped its context:\n%s", p.body)
		}
		if !strings.Contains(p.body, `<option value="`+evil.ID+`" selected>`) {
			t.Error("the chosen outage is not selected")
		}

		// Unknown outage: 404 page. Claimants: 403. Anonymous: to the login.
		if p := getPage(t, e, rev, "/dashboard?outage_id=0190a6c4-0000-7000-8000-000000000000", ""); p.status != http.StatusNotFound {
			t.Errorf("unknown outage: %d", p.status)
		}
		alice := loginBrowser(t, e, "alice@example.com")
		if p := getPage(t, e, alice, "/dashboard", ""); p.status != http.StatusForbidden || strings.Contains(p.body, `id="nav-dashboard"`) {
			t.Errorf("claimant: %d (nav link shown: %v)", p.status, strings.Contains(p.body, `id="nav-dashboard"`))
		}
		if p := getPage(t, e, e.browser(t), "/dashboard", ""); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("anonymous: %d %s", p.status, p.location)
		}
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if p := getPage(t, e, loginBrowser(t, e, "admin@example.com"), "/dashboard", ""); p.status != http.StatusOK {
			t.Errorf("admin: %d", p.status)
		}
	})
}
