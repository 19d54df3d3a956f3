package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store/dbtest"
)

// requireChromium skips the test loudly when Chromium is missing, or fails
// it when CI=true, like TestBrowserAccount does.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("Chromium is missing at %s (%v); install it with `apt-get install chromium`", chromiumPath, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING BROWSER TEST: " + msg)
	}
}

// startPortalWith is startPortal with a hook: prepare runs with the
// portal's getenv after the data directory and database exist and before
// the portal opens them, so a test can create accounts, a catalogue or the
// demo data the way an operator would from the command line.
func startPortalWith(t *testing.T, databaseURL string, prepare func(ctx context.Context, getenv func(string) string)) string {
	t.Helper()
	base, _ := startPortalApp(t, databaseURL, prepare)
	return base
}

// startPortalApp is startPortalWith that also returns the app it serves,
// for a test to start the app's job runner too.
func startPortalApp(t *testing.T, databaseURL string, prepare func(ctx context.Context, getenv func(string) string)) (string, *app) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"BOSANG_DATA_DIR":     t.TempDir(),
		"BOSANG_ADDR":         "127.0.0.1:0",
		"BOSANG_DATABASE_URL": databaseURL,
		// 127.0.0.1 counts as localhost, so cookies are not Secure and
		// the browser sends them back over plain HTTP.
		"BOSANG_BASE_URL": base,
	}
	getenv := func(k string) string { return env[k] }
	if prepare != nil {
		prepare(t.Context(), getenv)
		if t.Failed() {
			ln.Close()
			t.FailNow()
		}
	}

	a, err := open(t.Context(), getenv)
	if err != nil {
		ln.Close()
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	if a.cfg.SecureCookies() {
		ln.Close()
		t.Fatalf("config wants Secure cookies for %s; the browser would drop them over HTTP", base)
	}
	h, err := newHandler(a)
	if err != nil {
		ln.Close()
		t.Fatalf("newHandler: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntil(ctx, ln, newHTTPServer(h), 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serveUntil: %v", err)
		}
	})
	return base, a
}

// wantNoOverflow fails when the page is wider than the phone screen.
func (b *browserT) wantNoOverflow(page string) {
	b.t.Helper()
	if !b.eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
		b.t.Errorf("the %s page is wider than the %dpx phone screen", page, 390)
	}
}

// wantContains fails unless the text of css contains every one of want.
func (b *browserT) wantContains(css string, want ...string) {
	b.t.Helper()
	got := b.text(css)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("text of %s = %q, want it to contain %q", css, got, w)
		}
	}
}

// The operator and the service TestBrowserOutage works with.
const (
	outageOperatorEmail    = "ops-browser@example.kr"
	outageOperatorPassword = "Unyeong-ja-2024"
	outageServiceCode      = "haneul-drive"
)

// TestBrowserOutage drives the outage registry as an operator would, on a
// phone, in Korean: log in, open the operator dashboard, record a 5-hour
// outage of a large paid value-added service in 2024 (over the 4-hour bar of
// the 2019 decree), read the verdict on the outage page, find the outage on
// the public status page, then record the interruption notice and see its
// overdue marker go. It runs once on SQLite and once on PostgreSQL.
func TestBrowserOutage(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) {
		testBrowserOutage(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop) // runs last: after the server and the app are gone
		testBrowserOutage(t, dsn)
	})
}

// prepareOutage creates the operator account (as `bosang user create` does)
// and a service that owes notices: paid, value-added, ₩50bn revenue and
// 2M daily users, above the size bar.
func prepareOutage(t *testing.T) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		err := run(ctx, []string{"user", "create", "--email", outageOperatorEmail, "--password", outageOperatorPassword,
			"--name", "운영자 한", "--role", "operator"}, getenv, io.Discard)
		if err != nil {
			t.Fatalf("user create: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		_, err = a.outages.CreateService(ctx, outage.NewServiceInput{Code: outageServiceCode, Name: "하늘드라이브", NameEN: "Haneul Drive", Paid: true,
			Provider: outage.NewProvider{Name: "하늘클라우드", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000,
				Contact: "하늘클라우드 고객센터 1588-0000"},
			Features: []outage.NewFeature{{Code: "storage", Name: "파일 저장", NameEN: "File storage"}, {Code: "sync", Name: "동기화", NameEN: "Sync"}}})
		if err != nil {
			t.Fatalf("create service: %v", err)
		}
	}
}

func testBrowserOutage(t *testing.T, databaseURL string) {
	base := startPortalWith(t, databaseURL, prepareOutage(t))
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)

	// Log in through /login; the operator gets the operator nav link.
	// An operator is staff: the login enrols the second factor first.
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.login(base, outageOperatorEmail, outageOperatorPassword, "nav-ops")
	b.wantAttr("html", "lang", "ko")
	b.shot("01-logged-in.png")

	// The operator dashboard: nothing is due yet.
	b.do(
		click(chromedp.ID("nav-ops")),
		chromedp.WaitVisible(chromedp.ID("new-outage")),
	)
	b.wantPath("/ops")
	b.wantText("h1", "운영")
	if b.eval(`document.getElementById("due") !== null`) {
		t.Error("the dashboard lists notices due before any outage was recorded")
	}
	b.shot("02-ops.png")

	// Step 1: choose the service.
	b.do(
		click(chromedp.ID("new-outage")),
		chromedp.WaitVisible(chromedp.ID("choose-service-submit")),
		chromedp.SetValue(chromedp.ID("service"), outageServiceCode),
	)
	b.wantPath("/ops/outages/new")
	b.shot("03-choose-service.png")
	b.do(
		click(chromedp.ID("choose-service-submit")),
		chromedp.WaitVisible(chromedp.ID("outage-submit")),
	)
	if u := b.location(); u.Query().Get("service") != outageServiceCode {
		t.Errorf("step 2 is at %s, want ?service=%s", u, outageServiceCode)
	}
	b.wantText("#form-service", "하늘드라이브")

	// Step 2: both features, 2024-03-04 09:00 to 14:00 KST (5 hours), an
	// equipment fault. datetime-local inputs take keystrokes per segment in
	// the browser's locale, so their values are set directly, as a date
	// picker would.
	const summary = "스토리지 컨트롤러 고장으로 파일 저장과 동기화가 5시간 동안 중단되었습니다."
	b.do(
		click(chromedp.ID("feature-storage")),
		click(chromedp.ID("feature-sync")),
		chromedp.SetValue(chromedp.ID("started_at"), "2024-03-04T09:00"),
		chromedp.SetValue(chromedp.ID("ended_at"), "2024-03-04T14:00"),
		chromedp.SetValue(chromedp.ID("cause"), "equipment_fault"),
		chromedp.SendKeys(chromedp.ID("summary"), summary),
	)
	if !b.eval(`document.getElementById("feature-storage").checked && document.getElementById("feature-sync").checked`) {
		t.Error("the feature checkboxes did not stay checked")
	}
	b.shot("04-outage-form.png")
	b.do(
		click(chromedp.ID("outage-submit")),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	)

	// The outage page: notice required, in plain Korean.
	u := b.location()
	id, ok := strings.CutPrefix(u.Path, "/outages/")
	if !ok || id == "" || strings.Contains(id, "/") {
		b.fatal(fmt.Errorf("after recording the outage the browser is at %s, want /outages/:id", u))
	}
	b.wantText("#outage-title", "하늘드라이브")
	b.wantAttr("#verdict", "lang", "ko")
	b.wantContains("#verdict", "이 장애는 4시간을 넘어", "2019-06-25", "고지 의무가 있습니다", "고지 기한: 2024-03-04 14:00 KST")
	b.wantContains("#verdict-title mark", "고지 의무 있음")
	b.wantText("#summary", summary)
	b.wantContains("#facts", "설비 장애", "5시간")
	// Recorded in 2024 and never notified: both notices are overdue.
	b.wantContains("#duties tbody tr:nth-child(1)", "중단 사실 고지", "기한 지남")
	b.wantContains("#duties tbody tr:nth-child(2)", "손해배상", "기한 지남")
	b.wantNoOverflow("outage")
	b.shot("05-outage-verdict.png")

	// The public status page lists it in the history with the badge.
	row := fmt.Sprintf(`#history-outages tr:has(a[href="/outages/%s"])`, id)
	b.do(
		chromedp.Navigate(base+"/status"),
		chromedp.WaitVisible(chromedp.ID("history-outages")),
	)
	b.wantContains(row+" th", "하늘드라이브")
	b.wantContains(row, "파일 저장, 동기화", "2024-03-04 09:00 KST", "2024-03-04 14:00 KST", "5시간")
	b.wantText(row+" mark", "고지 의무 있음")
	b.wantNoOverflow("status")
	b.shot("06-status.png")

	// Back on the outage page, record the interruption notice.
	const body = "하늘드라이브 파일 저장·동기화 중단 안내: 2024-03-04 09:00부터 스토리지 장비 고장으로 서비스가 중단되었습니다. 문의: 1588-0000"
	b.do(
		click(chromedp.CSS(row+" th a")),
		chromedp.WaitVisible(chromedp.ID("notice-form")),
		chromedp.SetValue(chromedp.ID("notice-kind"), "interruption"),
		click(chromedp.ID("channel-website")),
		click(chromedp.ID("channel-sms")),
		chromedp.SetValue(chromedp.ID("notice-sent-at"), "2024-03-04T13:30"),
		chromedp.SetValue(chromedp.ID("notice-body"), body),
		chromedp.ScrollIntoView(chromedp.ID("notice-submit")),
	)
	b.wantPath("/outages/" + id)
	if b.eval(`document.getElementById("notice-list") !== null`) {
		t.Error("the outage lists a notice before one was recorded")
	}
	b.shot("07-notice-form.png")
	b.do(
		click(chromedp.ID("notice-submit")),
		chromedp.WaitVisible(chromedp.ID("notice-list")),
	)
	b.wantPath("/outages/" + id)
	b.wantContains("#notice-list tbody tr", "중단 사실 고지", "웹사이트 첫 화면", "문자(SMS)", "2024-03-04 13:30 KST")
	// The interruption notice is no longer overdue; the compensation one,
	// still unsent, is.
	b.wantContains("#duties tbody tr:nth-child(1)", "2024-03-04 13:30 KST")
	if b.eval(`document.querySelector("#duties tbody tr:nth-child(1) mark") !== null`) {
		t.Errorf("the interruption notice is still marked overdue after it was recorded: %q", b.text("#duties tbody tr:nth-child(1)"))
	}
	b.wantContains("#duties tbody tr:nth-child(2) mark", "기한 지남")
	b.wantNoOverflow("outage")
	b.shot("08-notice-recorded.png")
}
