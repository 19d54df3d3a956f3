package main

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/store/dbtest"
)

const (
	adminEmail    = "admin@paymoa.example"
	adminPassword = "Gwanri-2022-admin"
)

// TestBrowserAdmin: an admin at a phone's size (on SQLite) and at a
// desktop's (on PostgreSQL) logs in with the second factor, lands on the
// user administration, creates a reviewer, changes its role, resets its
// factor, previews and publishes a new policy version and views two
// versions side by side; axe finds nothing on any page visited. On a
// failure b.fatal saves failure.png, and every step its screenshot, in the
// test's artifact directory (go test -artifacts; the path is logged).
func TestBrowserAdmin(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite-phone", func(t *testing.T) { testBrowserAdmin(t, "", 390, 844, true) })
	t.Run("postgres-desktop", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		testBrowserAdmin(t, dsn, 1280, 800, false)
	})
}

func testBrowserAdmin(t *testing.T, databaseURL string, width, height int64, mobile bool) {
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}
	base := startPortalWith(t, databaseURL, func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		if err := run(ctx, []string{"user", "create", "--email", adminEmail, "--password", adminPassword,
			"--name", "관리자 김", "--role", "admin"}, getenv, io.Discard); err != nil {
			t.Fatalf("user create: %v", err)
		}
	})
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	if mobile {
		b.do(chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	} else {
		b.do(chromedp.EmulateViewport(width, height))
	}
	// clearNotice removes the page's notice, so that waiting for one waits
	// for the next page's.
	clearNotice := func() {
		b.eval(`(() => { document.getElementById("notice")?.remove(); return true })()`)
	}
	check := func(name string) {
		t.Helper()
		if mobile {
			b.wantNoOverflow(name)
		}
		b.axeHere(name, "ko", "admin", axeSrc)
	}

	// Log in (enrolling the factor): the admin lands on the users page.
	b.login(base, adminEmail, adminPassword, "admin-users-title")
	b.wantPath("/admin/users")
	// htmx is running and injected no inline <style> (which the CSP,
	// style-src 'self', would refuse with a console error).
	if !b.eval(`typeof htmx !== "undefined" && htmx.config.includeIndicatorStyles === false && document.querySelectorAll("style").length === 0`) {
		t.Error("htmx is not loaded, or it injected an inline style the CSP refuses")
	}
	check("/admin/users")

	// Create a reviewer.
	b.do(
		chromedp.SendKeys(chromedp.ID("name"), "심사자 박"),
		chromedp.SendKeys(chromedp.ID("email"), "park@paymoa.example"),
		chromedp.SendKeys(chromedp.ID("password"), "Simsa-2022-park"),
		chromedp.SetValue(chromedp.ID("role"), "reviewer"),
		click(chromedp.ID("create-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantText("#user-role", "심사자")
	check("/admin/users/{id} (created)")

	// Change its role to supervisor.
	clearNotice()
	b.do(
		chromedp.SetValue(chromedp.ID("role"), "supervisor"),
		click(chromedp.ID("role-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantText("#user-role", "감독자")
	b.wantContains("#notice", "역할을 바꿨습니다")

	// Reset its second factor.
	clearNotice()
	b.do(
		click(chromedp.ID("reset-mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantContains("#notice", "2단계 인증을 초기화했습니다")
	check("/admin/users/{id} (mfa reset)")

	// A new policy version: edit the JSON, preview, publish.
	b.do(
		chromedp.Navigate(base+"/admin/policies/new"),
		chromedp.WaitVisible(chromedp.ID("preview-submit")),
	)
	check("/admin/policies/new")
	edit := `(() => { const t = document.getElementById("policy"); const p = JSON.parse(t.value);
		p.name = "택시 기사 상향"; p.categories.driver.cap_krw = 123000; t.value = JSON.stringify(p, null, 2); return true })()`
	if !b.eval(edit) {
		b.fatal(errString("could not edit the policy JSON"))
	}
	b.do(
		click(chromedp.ID("preview-submit")),
		chromedp.WaitVisible(chromedp.ID("publish-submit")),
	)
	b.wantContains("#preview-repriced", "0건")
	b.wantContains("#preview tr.changed", "상한 ₩123,000")
	check("/admin/policies/preview")
	b.do(
		click(chromedp.ID("publish-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantContains("#policies", "택시 기사 상향")
	check("/admin/policies")

	// The two versions side by side.
	b.do(
		chromedp.SetValue(chromedp.ID("compare-a"), "1"),
		chromedp.SetValue(chromedp.ID("compare-b"), "2"),
		click(chromedp.ID("compare-submit")),
		chromedp.WaitVisible(chromedp.ID("compare")),
	)
	b.wantPath("/admin/policies/compare")
	b.wantContains("#compare tr.changed", "상한 ₩123,000")
	check("/admin/policies/compare")
}

// errString is an error with a fixed text.
type errString string

func (e errString) Error() string { return string(e) }

const (
	resetEmail    = "lee@paymoa.example"
	resetPassword = "Cheonggu-2022-lee"
)

var resetLinkPattern = regexp.MustCompile(`https?://[^\s]+/password/reset\?token=[A-Za-z0-9_%-]+`)

// TestBrowserPasswordReset: a claimant who forgot the password asks for a
// link on a phone, follows the link the e-mail carries (read from the
// outbox as the sender writes it), sets a new password, and logs in with
// it, landing on their claims; axe finds nothing on the pages. Once on
// SQLite and once on PostgreSQL.
func TestBrowserPasswordReset(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) { testBrowserPasswordReset(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		testBrowserPasswordReset(t, dsn)
	})
}

func testBrowserPasswordReset(t *testing.T, databaseURL string) {
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}
	var env func(string) string
	base := startPortalWith(t, databaseURL, func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		env = getenv
	})
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	// A claimant signs up, then forgets the password.
	b.do(
		chromedp.Navigate(base+"/register"),
		chromedp.WaitVisible(chromedp.ID("register-submit")),
		chromedp.SendKeys(chromedp.ID("name"), "이청구"),
		chromedp.SendKeys(chromedp.ID("email"), resetEmail),
		chromedp.SendKeys(chromedp.ID("phone"), "010-2345-6789"),
		chromedp.SendKeys(chromedp.ID("password"), resetPassword),
		click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
	)
	b.do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("forgot-link")),
		click(chromedp.ID("forgot-link")),
		chromedp.WaitVisible(chromedp.ID("forgot-submit")),
	)
	b.axeHere("/password/forgot", "ko", "guest", axeSrc)
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), resetEmail),
		click(chromedp.ID("forgot-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantContains("#notice", "30분")
	b.axeHere("/password/forgot (sent)", "ko", "guest", axeSrc)

	link := readResetLink(t, env, base)
	b.do(
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("reset-submit")),
	)
	b.wantNoOverflow("password reset")
	b.axeHere("/password/reset", "ko", "guest", axeSrc)
	b.do(
		chromedp.SendKeys(chromedp.ID("password"), "Sae-bimil-2022-lee"),
		click(chromedp.ID("reset-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantPath("/login")
	b.wantContains("#notice", "비밀번호를 바꿨습니다")

	// The new password logs in, to the claimant's own work.
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), resetEmail),
		chromedp.SendKeys(chromedp.ID("password"), "Sae-bimil-2022-lee"),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("nav-claims")),
	)
	b.wantPath("/claims")

	// The link works once.
	b.logout()
	b.do(
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("forgot-again")),
	)
	b.axeHere("/password/reset (used)", "ko", "guest", axeSrc)
}

// readResetLink reads the password reset e-mail of resetEmail from the
// outbox, written as the sender writes it, and returns its link.
func readResetLink(t *testing.T, getenv func(string) string, base string) string {
	t.Helper()
	a, err := open(t.Context(), getenv)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer a.Close()
	sqlDB, err := a.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMessage
	err = sqlDB.QueryRowContext(t.Context(), "SELECT id, topic, payload FROM outbox WHERE topic = '"+auth.TopicPasswordReset+"'").
		Scan(&m.ID, &m.Topic, &m.Payload)
	if err != nil {
		t.Fatalf("the reset e-mail in the outbox: %v", err)
	}
	mail, err := notify.PasswordResetText(m, base, a.auth.OpenPasswordResetMessage)
	if err != nil {
		t.Fatal(err)
	}
	link := resetLinkPattern.FindString(mail.Body)
	if link == "" || !strings.HasPrefix(link, base) {
		t.Fatalf("the reset e-mail has no link to %s:\n%s", base, mail.Body)
	}
	return link
}
