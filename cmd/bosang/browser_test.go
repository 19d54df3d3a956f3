package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/store/dbtest"
)

// chromiumPath is the browser the end-to-end tests drive.
const chromiumPath = "/usr/bin/chromium"

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// TestBrowserAccount drives the real portal, served on a loopback port, with a
// headless Chromium the size of a phone: register, log in, see the account page in
// Korean, switch to English, log out, get sent to the login page, fail to log
// in and then log in. It runs once on SQLite and once on PostgreSQL.
//
// The screenshots land in the subtest's artifact directory; run with
// `go test -artifacts -outputdir DIR` to keep them.
func TestBrowserAccount(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("Chromium is missing at %s (%v); install it with `apt-get install chromium`", chromiumPath, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING BROWSER TEST: " + msg)
	}
	t.Run("sqlite", func(t *testing.T) {
		testBrowserAccount(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		// Registered first, so it runs last: after the server and the
		// database handle are gone.
		t.Cleanup(drop)
		testBrowserAccount(t, dsn)
	})
}

func testBrowserAccount(t *testing.T, databaseURL string) {
	base := startPortal(t, databaseURL)
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	const (
		name     = "김보상"
		phone    = "010-1234-5678"
		password = "Haneul-bada-2022"
	)
	email := fmt.Sprintf("browser-%d@example.kr", time.Now().UnixNano())

	// Register, in Korean: the browser is set up like a phone in Korea.
	b.do(
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(base+"/register"),
		chromedp.WaitVisible(chromedp.ID("register-submit")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("phone"), phone),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	b.wantAttr("html", "lang", "ko")
	b.shot("01-register.png")
	// Signing up answers alike for new and registered addresses: the
	// browser is sent to log in, with a notice.
	b.do(
		click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantPath("/login")
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("account-title")),
	)
	b.wantPath("/account")
	b.wantText("#account-title", "내 계정")
	b.wantText("#account-name", name)
	b.shot("02-account-ko.png")

	// Switch to English: the same page comes back in English.
	b.do(
		click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #account-title`)),
	)
	b.wantPath("/account")
	b.wantAttr("html", "lang", "en")
	b.wantText("#account-title", "My account")
	b.wantText("#account-name", name)
	if !b.eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
		b.fatal(fmt.Errorf("the account page is wider than the %dpx phone screen", 390))
	}
	b.shot("03-account-en.png")

	// Log out: home page, still in English (the lang cookie outlives the
	// session), with the "Log in" link and no "Log out" button.
	b.do(
		click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.CSS(`header nav a[href="/login"]`)),
	)
	b.wantPath("/")
	b.wantAttr("html", "lang", "en")
	b.wantText(`header nav a[href="/login"]`, "Log in")
	if loggedIn := b.eval(`document.getElementById("logout") !== null`); loggedIn {
		t.Error("the home page still shows the log-out button after logging out")
	}
	b.shot("04-home-en.png")

	// The account page is closed now: it sends the browser to log in.
	b.do(
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
	)
	u := b.location()
	if u.Path != "/login" || u.Query().Get("next") != "/account" {
		t.Errorf("GET /account after logout ended at %s, want /login?next=/account", u)
	}
	b.shot("05-login-redirect.png")

	// A wrong password: the form comes back with the error and the e-mail.
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "Wrong-password-2022"),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	b.wantPath("/login")
	b.wantText("#flash", "The e-mail or password is wrong.")
	if got := b.value("#email"); got != email {
		t.Errorf("e-mail field after a failed login = %q, want %q", got, email)
	}
	b.shot("06-login-failed.png")

	// The right password: back to the account page the redirect came from.
	b.do(
		chromedp.SendKeys(chromedp.ID("password"), password),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("account-title")),
	)
	b.wantPath("/account")
	b.wantText("#account-title", "My account")
	b.wantText("#account-name", name)
	b.shot("07-account-en.png")
}

// startPortal opens the app like `bosang serve` does, on a fresh data
// directory and the given database ("" for SQLite), serves it on a loopback
// port and returns its base URL. Cleanup stops the server and closes the app.
func startPortal(t *testing.T, databaseURL string) string {
	t.Helper()
	return startPortalWith(t, databaseURL, nil)
}

// stepBudget bounds one browser step: a navigation with its waits, one
// script, one screenshot. It only stops a hung browser. A bound on a whole
// walk grew too small as pages were added: the accessibility walk took
// more than 5 minutes on a 2-core machine running two make test at once,
// each page taking 2 to 8 s there, while no single step came near a
// minute.
const stepBudget = 2 * time.Minute

// newBrowser starts a headless Chromium with a fresh profile, writing its
// output to chromium.log in shots, and returns a browserT on its tab,
// which saves screenshots in shots (the tab has no deadline: each step
// runs under stepBudget). Cleanup closes the browser before the server
// stops.
func newBrowser(t *testing.T, shots string) *browserT {
	t.Helper()
	logPath := filepath.Join(shots, "chromium.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create browser log: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A phone in Korea: Korean first in Accept-Language. Without
		// this Chromium sends "en-US,en;q=0.9" and the portal answers in
		// English.
		chromedp.Flag("lang", "ko-KR"),
		chromedp.Flag("accept-lang", "ko-KR,ko"),
		chromedp.WindowSize(390, 844),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium-profile")),
		chromedp.CombinedOutput(logFile),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		logFile.Close()
		if t.Failed() {
			if out, err := os.ReadFile(logPath); err == nil && len(out) > 0 {
				t.Logf("chromium output:\n%s", out)
			}
		}
	})
	// The first Do binds the browser's life to its context: start it on
	// the tab's, which has no deadline.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return &browserT{t: t, tab: tab, shots: shots}
}

// click clicks sel once its page has loaded (readyState "complete": its
// stylesheets and scripts are in). A click is sent to the element's centre
// as laid out at that moment; on a busy machine the element was measured
// before its page's stylesheet had arrived, the click landed beside it and
// the walk waited for a page that never came (TestBrowserAdmin on a phone,
// on the recovery codes page).
func click[S chromedp.Selectable](sel S, opts ...chromedp.QueryOption) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(pageLoaded, chromedp.Click(sel, opts...))
}

// pageLoaded waits until the tab's page has loaded. A poll does not survive
// a navigation: when one ends it, the click after it waits for its element
// on the new page, as a click always did.
var pageLoaded = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := chromedp.Poll[chromedp.Void](`document.readyState === "complete"`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))(ctx, t)
	if ctx.Err() != nil {
		return fmt.Errorf("wait for the page to load: %w (%v)", ctx.Err(), err)
	}
	return nil
})

// browserT runs chromedp actions in one tab and fails the test on error.
type browserT struct {
	t   *testing.T
	tab context.Context // the tab; each step runs under stepBudget (step)
	// cancel ends the current step's context.
	cancel context.CancelFunc
	shots  string
	// phone is the staff's authenticator app, made at the first staff
	// login (see secondFactor).
	phone *authenticatorApp
}

// step returns the context of the next browser step, the tab's ending
// after stepBudget, and ends the previous step's.
func (b *browserT) step() context.Context {
	if b.cancel != nil {
		b.cancel()
	}
	ctx, cancel := context.WithTimeout(b.tab, stepBudget)
	b.cancel = cancel
	return ctx
}

func (b *browserT) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.step(), steps...); err != nil {
		b.fatal(err)
	}
}

func (b *browserT) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.step(), chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fatal(err)
	}
	return s
}

func (b *browserT) wantText(css, want string) {
	b.t.Helper()
	if got := b.text(css); got != want {
		b.t.Errorf("text of %s = %q, want %q", css, got, want)
	}
}

func (b *browserT) wantAttr(css, attr, want string) {
	b.t.Helper()
	r, err := chromedp.Run(b.step(), chromedp.AttributeValue(chromedp.CSS(css), attr))
	if err != nil {
		b.fatal(err)
	}
	if !r.Exists || r.Value != want {
		b.t.Errorf("%s[%s] = %q (exists %v), want %q", css, attr, r.Value, r.Exists, want)
	}
}

func (b *browserT) value(css string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.fatal(err)
	}
	return v
}

func (b *browserT) eval(expr string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Evaluate[bool](expr))
	if err != nil {
		b.fatal(err)
	}
	return v
}

func (b *browserT) location() *url.URL {
	b.t.Helper()
	loc, err := chromedp.Run(b.step(), chromedp.Location())
	if err != nil {
		b.fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u
}

func (b *browserT) wantPath(want string) {
	b.t.Helper()
	if u := b.location(); u.Path != want {
		b.t.Errorf("location = %s, want path %s", u, want)
	}
}

// shot saves a full-page PNG screenshot as name in the artifact directory.
// Quality 100 is what makes chromedp capture PNG; anything less is JPEG.
func (b *browserT) shot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.step(), chromedp.FullScreenshot(100))
	if err != nil {
		b.fatal(err)
	}
	if !bytes.HasPrefix(buf, pngMagic) {
		b.t.Fatalf("screenshot %s is not a PNG (%d bytes, starts %q)", name, len(buf), buf[:min(len(buf), 8)])
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), buf, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
}

// fatal ends the test with err and, when possible, a screenshot and the URL
// of the page the browser was on.
func (b *browserT) fatal(err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (a browser step took longer than %v)", err, stepBudget)
	}
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	if loc, lerr := chromedp.Run(ctx, chromedp.Location()); lerr == nil {
		err = fmt.Errorf("%w; page: %s", err, loc)
	}
	if buf, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		p := filepath.Join(b.shots, "failure.png")
		if os.WriteFile(p, buf, 0o644) == nil {
			err = fmt.Errorf("%w; screenshot: %s", err, p)
		}
	}
	b.t.Fatal(err)
}
