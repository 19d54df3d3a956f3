package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bosang/bosang/store/dbtest"
)

// authenticatorApp is the staff's authenticator app in the browser tests:
// the secret each staff member enrolled, read off the enrolment page, and
// the time step of the last code it gave them. The portal runs on the real
// clock and takes a code once per 30-second step, with one step of drift
// either way; so the app gives the current step's code, or when that step
// is used already the next step's, which the server accepts as drift.
// That lets a staff member log in twice within one step without waiting;
// a third time within the same step would need to wait, and code() fails
// the test rather than sleep (no test logs anyone in more than twice).
type authenticatorApp struct {
	secrets map[string]string
	last    map[string]int64
}

// enrol remembers the secret shown to email.
func (a *authenticatorApp) enrol(email, secret string) {
	a.secrets[email] = secret
	delete(a.last, email)
}

// code is email's code for the first step after the last one used, now or
// one step ahead.
func (a *authenticatorApp) code(t *testing.T, email string) string {
	t.Helper()
	secret, ok := a.secrets[email]
	if !ok {
		t.Fatalf("%s has a second factor the test never saw enrolled", email)
	}
	now := time.Now().Unix() / 30
	step := now
	if last, used := a.last[email]; used && last >= step {
		step = last + 1
	}
	if step > now+1 {
		t.Fatalf("%s logged in twice within this 30 s step already; a third code would need to wait", email)
	}
	c, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	a.last[email] = step
	return c
}

// authenticator is the browser's authenticator app, made when first used.
func (b *browserT) authenticator() *authenticatorApp {
	if b.phone == nil {
		b.phone = &authenticatorApp{secrets: map[string]string{}, last: map[string]int64{}}
	}
	return b.phone
}

// present reports whether the page has an element with this id.
func (b *browserT) present(id string) bool {
	b.t.Helper()
	return b.eval(`document.getElementById("` + id + `") !== null`)
}

// secondFactor answers the code form a staff login shows: it enrols the
// secret when the form shows one, types the authenticator's code, goes on
// past the recovery codes after an enrolment, and waits for waitID.
func (b *browserT) secondFactor(email, waitID string) {
	b.t.Helper()
	app := b.authenticator()
	if b.present("mfa-secret") {
		app.enrol(email, b.text("#mfa-secret"))
	}
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), app.code(b.t, email)),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitNotPresent(chromedp.ID("mfa-submit")),
	)
	if b.present("mfa-continue") {
		b.do(
			click(chromedp.ID("mfa-continue")),
			chromedp.WaitNotPresent(chromedp.ID("mfa-continue")),
		)
	}
	b.do(chromedp.WaitVisible(chromedp.ID(waitID)))
}

const (
	mfaReviewerEmail    = "new-reviewer@example.kr"
	mfaReviewerPassword = "Simsa-2022-totp"
)

// TestBrowserStaffMFA: a reviewer created by an admin logs in for the first
// time on a phone: the password leads to the enrolment page, whose secret
// the test reads and turns into a TOTP code as an authenticator app would;
// the code shows the recovery codes once and goes on to the review queue.
// Logged out, the reviewer logs in again with a fresh code and no secret
// shown. Once on SQLite and once on PostgreSQL.
func TestBrowserStaffMFA(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) { testBrowserStaffMFA(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop) // runs last: after the server and the app are gone
		testBrowserStaffMFA(t, dsn)
	})
}

func testBrowserStaffMFA(t *testing.T, databaseURL string) {
	base := startPortalWith(t, databaseURL, func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		if err := run(ctx, []string{"user", "create", "--email", mfaReviewerEmail, "--password", mfaReviewerPassword,
			"--name", "심사자 신", "--role", "reviewer"}, getenv, io.Discard); err != nil {
			t.Fatalf("user create: %v", err)
		}
	})
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	app := b.authenticator()

	// The review queue sends the stranger to log in; the password leads to
	// the enrolment page, not into the portal.
	b.do(
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("email"), mfaReviewerEmail),
		chromedp.SendKeys(chromedp.ID("password"), mfaReviewerPassword),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("mfa-secret")),
	)
	b.wantPath("/login")
	b.wantText("#mfa-title", "인증 앱 등록")
	if b.present("logout") {
		t.Error("the enrolment page shows the log-out button: the password alone logged the reviewer in")
	}
	secret := b.text("#mfa-secret")
	if len(secret) != 32 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("the secret on the enrolment page is %q, want 32 base32 characters", secret)
	}
	uri, err := chromedp.Run(b.step(), chromedp.AttributeValue(chromedp.ID("mfa-uri"), "href"))
	if err != nil {
		b.fatal(err)
	}
	if !strings.HasPrefix(uri.Value, "otpauth://totp/Bosang:") || !strings.Contains(uri.Value, "secret="+secret) {
		t.Errorf("the authenticator link is %q, want an otpauth URI with the secret", uri.Value)
	}
	b.wantNoOverflow("enrolment")
	b.shot("01-enrol.png")

	// The code the app shows: the recovery codes, once, then the queue.
	app.enrol(mfaReviewerEmail, secret)
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), app.code(t, mfaReviewerEmail)),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")),
	)
	if n, err := chromedp.Run(b.step(), chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes li").length`)); err != nil || n != 10 {
		t.Errorf("the recovery codes page lists %d codes (%v), want 10", n, err)
	}
	b.wantText("#recovery-title", "복구 코드")
	b.wantNoOverflow("recovery codes")
	b.shot("02-recovery-codes.png")
	b.do(
		click(chromedp.ID("mfa-continue")),
		chromedp.WaitVisible(chromedp.ID("take-next")),
	)
	b.wantPath("/review")
	b.shot("03-review-queue.png")

	// Logged out and back in: a code, no secret, straight into the queue.
	b.logout()
	b.do(
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("email"), mfaReviewerEmail),
		chromedp.SendKeys(chromedp.ID("password"), mfaReviewerPassword),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("mfa-submit")),
	)
	b.wantText("#mfa-title", "2단계 인증")
	if b.present("mfa-secret") {
		t.Error("a login after enrolment shows the secret again")
	}
	b.shot("04-code.png")
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), app.code(t, mfaReviewerEmail)),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("take-next")),
	)
	b.wantPath("/review")
	b.shot("05-review-queue-again.png")
}
