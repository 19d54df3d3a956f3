package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/store/dbtest"
)

// screen is a viewport a journey runs at.
type screen struct {
	name          string
	width, height int64
	phone         bool
}

// journeyScreens: a 390 x 844 phone and a 1280 x 800 laptop.
var journeyScreens = []screen{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}}

func (b *browserT) resize(s screen) {
	b.t.Helper()
	if s.phone {
		b.do(chromedp.EmulateViewport(s.width, s.height, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		return
	}
	b.do(chromedp.EmulateViewport(s.width, s.height))
}

// journey starts the portal prepared by prepare and a browser; the
// screenshots, a failure's included (failure.png), land in the subtest's
// artifact directory (`go test -artifacts -outputdir DIR` keeps them).
func journey(t *testing.T, databaseURL string, prepare func(ctx context.Context, getenv func(string) string)) (*browserT, string, []byte) {
	t.Helper()
	b, base, axeSrc, _ := journeyApp(t, databaseURL, prepare)
	return b, base, axeSrc
}

// journeyApp is journey that also returns the app the portal serves, for a
// test to start its job runner.
func journeyApp(t *testing.T, databaseURL string, prepare func(ctx context.Context, getenv func(string) string)) (*browserT, string, []byte, *app) {
	t.Helper()
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}
	base, a := startPortalApp(t, databaseURL, prepare)
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	return newBrowser(t, shots), base, axeSrc, a
}

// eachDatabase runs fn on SQLite and on PostgreSQL.
func eachDatabase(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop) // runs last: after the server and the app are gone
		fn(t, dsn)
	})
}

// evalNumber evaluates a JavaScript expression that yields a number.
func (b *browserT) evalNumber(expr string) float64 {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Evaluate[float64](expr))
	if err != nil {
		b.fatal(err)
	}
	return v
}

// visit navigates to path, waits for waitID and runs axe on the page at
// this screen (a screenshot per page).
func (b *browserT) visit(base, path, waitID, who string, s screen, axeSrc []byte) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.ID(waitID)),
	)
	b.axeHere(path, "ko", who+"-"+s.name, axeSrc)
	b.wantNoOverflow(path + " at " + s.name)
}

const (
	journeySupervisorEmail = "sup-journey@example.kr"
	journeyOperatorEmail   = "op-journey@example.kr"
	journeyPassword        = "Gamdok-ja-2024!"
)

// prepareSupervisorJourney makes the supervisor, one service and, per
// screen, an outage with three approved claims: two claimants paid into
// one account, a third alone. It builds one payout batch per outage and
// returns their ids through batches (phone first).
func prepareSupervisorJourney(t *testing.T, batches *[]string) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		if err := run(ctx, []string{"user", "create", "--email", journeySupervisorEmail, "--password", journeyPassword,
			"--name", "감독자 윤", "--role", "supervisor"}, getenv, io.Discard); err != nil {
			t.Fatalf("user create: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		if _, err := a.outages.CreateService(ctx, outage.NewServiceInput{Code: "byeol-taxi", Name: "별택시", NameEN: "Byeol Taxi", Paid: true,
			Provider: outage.NewProvider{Name: "별모빌리티", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000},
			Features: []outage.NewFeature{{Code: "hailing", Name: "호출", NameEN: "Hailing"}}}); err != nil {
			t.Fatalf("create service: %v", err)
		}
		sup, err := a.db.UserByEmail(ctx, journeySupervisorEmail)
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, err := a.db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		const at = "'2024-01-01 00:00:00+00:00'"
		for i := range journeyScreens {
			start := time.Date(2024, 3, 4+i, 0, 0, 0, 0, time.UTC)
			end := start.Add(5 * time.Hour)
			o, err := a.outages.Create(ctx, &models.User{ID: sup.ID, Role: models.RoleSupervisor},
				outage.NewOutage{ServiceID: "byeol-taxi", Features: []string{"hailing"}, StartedAt: &start, EndedAt: &end, Cause: "fire", Summary: "화재"})
			if err != nil {
				t.Fatalf("create outage: %v", err)
			}
			for j, c := range []struct{ holder, fingerprint, masked string }{
				{"김하늘", "shared-" + o.ID, "110-***-****01"}, {"박바다", "shared-" + o.ID, "110-***-****01"}, {"이구름", "alone-" + o.ID, "220-***-****02"},
			} {
				user, claim := uuid.NewString(), uuid.Must(uuid.NewV7()).String()
				for _, q := range []string{
					fmt.Sprintf("INSERT INTO users (id, email, password_hash, name, role, created_at, updated_at) VALUES ('%s', 'j%d-%d@example.kr', 'x', '%s', 'claimant', %s, %s)",
						user, i, j, c.holder, at, at),
					fmt.Sprintf(`INSERT INTO claims (id, number, claimant_id, outage_id, category, monetary, description, claimed_amount_krw, details,
payout_bank, payout_holder, payout_number_sealed, payout_key_id, payout_number_masked, payout_fingerprint, status, estimate_amount_krw, policy_version,
version, created_at, updated_at, approved_amount_krw) VALUES ('%s', 'BS-2024-%d0000%d', '%s', '%s', 'driver', TRUE, '피해', 0, '{}', '004', '%s', 'sealed', 'k1', '%s', '%s',
'approved', 10000, 1, 2, %s, %s, %d)`, claim, i, j+1, user, o.ID, c.holder, c.masked, c.fingerprint, at, at, 1_234_500+j),
				} {
					if _, err := sqlDB.ExecContext(ctx, q); err != nil {
						t.Fatalf("seed: %v", err)
					}
				}
			}
			batch, err := a.payouts.Build(ctx, payout.Access{Actor: sup, IP: "127.0.0.1"}, o.ID)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			*batches = append(*batches, batch.ID)
		}
	}
}

// TestBrowserSupervisorJourney walks a supervisor's day at phone size and
// at laptop size, on both databases: the dashboard (on a laptop, without
// scrolling sideways), the audit trail filtered to payout batches, and a
// payout batch that warns about an account two claimants share, refuses to
// mark the transfers paid until the supervisor confirms, then marks them
// paid with one hyphen in each reference. axe finds no violation on any
// page visited.
func TestBrowserSupervisorJourney(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		var batches []string
		b, base, axeSrc := journey(t, databaseURL, prepareSupervisorJourney(t, &batches))
		for i, s := range journeyScreens {
			b.resize(s)
			b.login(base, journeySupervisorEmail, journeyPassword, "nav-audit")

			b.visit(base, "/dashboard", "summary", "supervisor", s, axeSrc)
			b.wantContains("h1", "보상 청구 현황판")
			b.wantText("#stat-p50", "아직 결정 없음")
			if !s.phone {
				// On a laptop the figures sit side by side: the summary and
				// the split start on the first screen, and the whole page,
				// charts included, takes at most two and a half screens
				// (one column of tables and charts took four).
				if !b.eval(`document.getElementById("summary").getBoundingClientRect().top < window.innerHeight && document.getElementById("triage").getBoundingClientRect().top < window.innerHeight`) {
					t.Errorf("on a %dx%d laptop the dashboard's summary or split starts below the fold", s.width, s.height)
				}
				if !b.eval(`document.documentElement.scrollHeight <= 2.5 * window.innerHeight`) {
					t.Errorf("on a %dx%d laptop the dashboard is %s px tall, want at most 2.5 screens", s.width, s.height,
						fmt.Sprint(b.evalNumber(`document.documentElement.scrollHeight`)))
				}
			}

			b.visit(base, "/audit", "audit-filter", "supervisor", s, axeSrc)
			b.wantContains("#verify-status", "이상 없음")
			b.do(
				chromedp.SetValue(chromedp.ID("audit-entity"), "payout_batch"),
				click(chromedp.ID("audit-filter-submit")),
				chromedp.WaitVisible(chromedp.ID("audit-filter-clear")),
			)
			if got := b.location().Query().Get("entity"); got != "payout_batch" {
				t.Errorf("the filter went to entity=%q, want payout_batch", got)
			}
			b.wantContains("#audit-entries", "payout_batch.create")
			if b.eval(`document.querySelector("#audit-entries").textContent.includes("outage.create")`) {
				t.Error("the audit trail filtered to payout batches lists an outage entry")
			}
			b.axeHere("/audit?entity=payout_batch", "ko", "supervisor-"+s.name, axeSrc)
			b.wantNoOverflow("filtered audit at " + s.name)

			batch := "/payouts/" + batches[i]
			b.visit(base, batch, "shared-accounts", "supervisor", s, axeSrc)
			b.wantContains("#shared-accounts", "110-***-****01", "김*늘", "박*다")
			if b.eval(`document.querySelector("#shared-accounts").textContent.includes("이*름")`) {
				t.Error("the shared-account warning names the claimant paid alone")
			}
			b.do(
				chromedp.SendKeys(chromedp.ID("settle-prefix"), "KB20240305-"),
				click(chromedp.ID("settle-all-submit")),
				chromedp.WaitVisible(chromedp.ID("settle-all-confirm-error")),
			)
			b.wantText("#batch-status", "진행 중")
			b.axeHere(batch+" (unconfirmed)", "ko", "supervisor-"+s.name, axeSrc)
			b.do(
				click(chromedp.ID("settle-all-confirm")),
				click(chromedp.ID("settle-all-submit")),
				chromedp.WaitVisible(chromedp.ID("notice")),
			)
			b.wantText("#batch-status", "정산 완료")
			b.wantContains("#batch-items-table", fmt.Sprintf("KB20240305-BS-2024-%d00001", i))
			if b.eval(`document.querySelector("#batch-items-table").textContent.includes("--")`) {
				t.Error("a transfer reference has a double hyphen")
			}
			b.axeHere(batch+" (settled)", "ko", "supervisor-"+s.name, axeSrc)
			b.wantNoOverflow("settled batch at " + s.name)
			b.logout()
		}
	})
}

// prepareOperatorJourney makes the operator and a service.
func prepareOperatorJourney(t *testing.T) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		if err := run(ctx, []string{"user", "create", "--email", journeyOperatorEmail, "--password", journeyPassword,
			"--name", "운영자 정", "--role", "operator"}, getenv, io.Discard); err != nil {
			t.Fatalf("user create: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		if _, err := a.outages.CreateService(ctx, outage.NewServiceInput{Code: "gureum-mail", Name: "구름메일", NameEN: "Gureum Mail", Paid: true,
			Provider: outage.NewProvider{Name: "구름", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000},
			Features: []outage.NewFeature{{Code: "send", Name: "발송", NameEN: "Sending"}}}); err != nil {
			t.Fatalf("create service: %v", err)
		}
	}
}

// TestBrowserOperatorJourney: at phone size and at laptop size, on both
// databases, an operator opens the ops page, records an outage, corrects
// its end and cause, and reads on the outage page what the correction
// changed, old -> new. axe finds no violation on any page visited.
func TestBrowserOperatorJourney(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		b, base, axeSrc := journey(t, databaseURL, prepareOperatorJourney(t))
		for i, s := range journeyScreens {
			b.resize(s)
			b.login(base, journeyOperatorEmail, journeyPassword, "nav-ops")
			b.visit(base, "/ops", "new-outage", "operator", s, axeSrc)

			day := fmt.Sprintf("2024-04-%02d", 10+i)
			b.visit(base, "/ops/outages/new?service=gureum-mail", "outage-form", "operator", s, axeSrc)
			b.do(
				click(chromedp.ID("feature-send")),
				chromedp.SetValue(chromedp.ID("started_at"), day+"T09:00"),
				chromedp.SetValue(chromedp.ID("ended_at"), day+"T14:00"),
				chromedp.SetValue(chromedp.ID("cause"), "equipment_fault"),
				chromedp.SendKeys(chromedp.ID("summary"), "메일 발송 서버 고장"),
				click(chromedp.ID("outage-submit")),
				chromedp.WaitVisible(chromedp.ID("verdict")),
			)
			id, ok := strings.CutPrefix(b.location().Path, "/outages/")
			if !ok || id == "" {
				b.fatal(fmt.Errorf("after recording the outage the browser is at %s, want /outages/:id", b.location()))
			}
			b.axeHere("/outages/"+id, "ko", "operator-"+s.name, axeSrc)

			edit := "/ops/outages/" + id + "/edit"
			b.visit(base, edit, "outage-form", "operator", s, axeSrc)
			b.do(
				chromedp.SetValue(chromedp.ID("ended_at"), day+"T16:30"),
				chromedp.SetValue(chromedp.ID("cause"), "fire"),
				chromedp.SendKeys(chromedp.ID("reason"), "복구 시각과 원인 정정"),
				click(chromedp.ID("outage-submit")),
				chromedp.WaitVisible(chromedp.ID("revisions")),
			)
			b.wantPath("/outages/" + id)
			b.wantContains("#revisions", "복구 시각과 원인 정정", "원인: 설비 장애", "화재", "복구: "+day+" 14:00 KST", day+" 16:30 KST")
			if !b.eval(`[...document.querySelectorAll("#revisions ul.changes li")].some(li => li.textContent.includes("설비 장애") && li.textContent.includes("화재"))`) {
				t.Error("the revision does not show the cause's old and new value together")
			}
			b.axeHere("/outages/"+id+" (corrected)", "ko", "operator-"+s.name, axeSrc)
			b.wantNoOverflow("corrected outage at " + s.name)
			b.logout()
		}
	})
}
