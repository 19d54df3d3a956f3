package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/review"
)

// axePath is axe-core, vendored for the tests only by web/vendor.sh (see
// web/testdata/axe/VERSIONS). It is read from disk and evaluated through
// DevTools: the portal's CSP rightly refuses inline scripts, and the file is
// never embedded or served.
const axePath = "../../web/testdata/axe/axe.min.js"

// axeRun runs axe on the whole document against WCAG 2.0 and 2.1, levels A
// and AA, and returns the violations in a compact form.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary || ''}))
})))`

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// TestBrowserAccessibility runs axe-core (WCAG 2.1 A and AA rules) on every
// page of the portal, in Korean and in English, logged out, through a staff
// member's second factor (enrolment, a wrong code, the recovery codes, the
// code form) and as the demo operator, supervisor and claimant, on the demo
// data. Any violation fails the test with its rule,
// impact, help text and the first offending node.
func TestBrowserAccessibility(t *testing.T) {
	requireChromium(t)
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}

	// The demo data, and the ids of its outages: KakaoTalk (per-feature
	// restoration, a timeline, and here a recorded notice) and Kakao
	// Account (downstream impact on the exchange) are the ones checked.
	outages := map[string]string{}
	var staff struct{ decided, held, batch string }
	var oldestClaim string  // the demo claimant's, to page past it
	var demoReviewer string // an account on the admin's account page
	var subToken string     // a pending outage subscription's link token
	base := startPortalWith(t, "", func(ctx context.Context, getenv func(string) string) {
		if err := run(ctx, []string{"seed", "--demo"}, getenv, io.Discard); err != nil {
			t.Fatalf("seed --demo: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		views, err := a.outages.List(ctx, outage.Filter{})
		if err != nil {
			t.Fatalf("list outages: %v", err)
		}
		for _, v := range views {
			outages[v.Service.Code] = v.ID
		}
		// One recorded notice, so the outage page shows its notice list.
		op, err := a.db.UserByEmail(ctx, "operator@demo.bosang.kr")
		if err != nil {
			t.Fatalf("demo operator: %v", err)
		}
		sent := time.Date(2022, 10, 15, 8, 0, 0, 0, time.UTC) // 17:00 KST
		if _, err := a.outages.RecordNotice(ctx, op, outages["kakaotalk"], outage.NewNotice{Kind: "interruption",
			Channels: []string{"website", "app"}, SentAt: &sent, Body: "카카오톡 서비스 장애 안내"}); err != nil {
			t.Fatalf("record notice: %v", err)
		}
		// A correction, so the outage page shows what it changed.
		summary := "카카오 계정 로그인 장애로 연동 서비스 이용 불가(정정)"
		if _, err := a.outages.Correct(ctx, op, outages["kakao-account"], outage.Patch{Reason: "요약 정정", Summary: &summary}); err != nil {
			t.Fatalf("correct outage: %v", err)
		}
		// An e-mail subscription to an outage, so its link page has one.
		if err := a.outages.Subscribe(ctx, outages["kakaotalk"], "watcher@example.kr"); err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		subToken = pendingSubscriptionToken(ctx, t, a)
		// Review and payouts: one claim approved and in a batch, one held
		// by the demo supervisor, so the review page shows its form.
		staff.decided, staff.held, staff.batch = prepareStaffPages(ctx, t, a)
		user, err := a.db.UserByEmail(ctx, "user@demo.bosang.kr")
		if err != nil {
			t.Fatalf("demo claimant: %v", err)
		}
		list, err := a.claims.List(ctx, user, claims.Filter{Limit: 1}) // oldest first
		if err != nil || len(list) == 0 {
			t.Fatalf("the demo claimant's claims: %d, %v", len(list), err)
		}
		oldestClaim = list[0].ID
		rev, err := a.db.UserByEmail(ctx, "reviewer@demo.bosang.kr")
		if err != nil {
			t.Fatalf("demo reviewer: %v", err)
		}
		demoReviewer = rev.ID
	})
	for _, code := range []string{"kakaotalk", "kakao-account"} {
		if outages[code] == "" {
			t.Fatalf("the demo data has no %s outage", code)
		}
	}

	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	eligibility := "/eligibility?" + url.Values{"service": {"coinplace"}, "role": {"user"}, "at": {"2022-10-15T18:00"}}.Encode()
	public := []string{"/", "/register", "/login", "/status",
		"/outages/" + outages["kakaotalk"], "/outages/" + outages["kakao-account"], eligibility,
		"/password/forgot", "/password/reset?token=no-such-link",
		"/subscriptions?token=" + url.QueryEscape(subToken), "/subscriptions?token=no-such-link"}
	admin := []string{"/admin/users", "/admin/users?q=demo", "/admin/users/" + demoReviewer,
		"/admin/policies", "/admin/policies/new", "/admin/policies/compare?a=1&b=1", "/admin/api-keys"}
	operator := []string{"/ops", "/ops/outages/new", "/ops/outages/new?service=kakao-t",
		"/outages/" + outages["kakaotalk"], "/ops/outages/" + outages["kakaotalk"] + "/notice-draft?kind=compensation",
		"/ops/outages/" + outages["kakao-t"] + "/edit", "/account"}

	supervisor := []string{"/review", "/review?min_krw=x", "/review/claims/" + staff.held, "/review/claims/" + staff.decided,
		"/payouts", "/payouts/" + staff.batch, "/payouts/" + staff.batch + "/export?format=csv&reason=",
		"/dashboard", "/audit", "/audit?entity=outage&id=" + outages["kakao-account"], "/audit?from=2024-13-01"}
	// The staff search: results with their take buttons, and a refused sort.
	supervisor = append(supervisor, "/review/search?status=approved", "/review/search?q=demo&sort=x")

	for _, lang := range []string{"ko", "en"} {
		b.do(
			chromedp.Navigate(base+"/lang/"+lang+"?next=/"),
			chromedp.WaitVisible(chromedp.ID("main")),
		)
		b.wantAttr("html", "lang", lang)
		for _, p := range public {
			b.axeCheck(base, p, lang, "guest", axeSrc)
		}
		// A staff member's second factor, one reviewer per language: the
		// enrolment page, it again after a wrong code, the recovery codes,
		// and at the next login the code form.
		b.axeSecondFactor(base, map[string]string{"ko": "reviewer@demo.bosang.kr", "en": "reviewer2@demo.bosang.kr"}[lang], lang, axeSrc)
		// The demo operator: the dashboard, the outage forms, the outage
		// page with its operator forms, and the account page.
		b.login(base, "operator@demo.bosang.kr", demoPassword, "nav-ops")
		for _, p := range operator {
			b.axeCheck(base, p, lang, "operator", axeSrc)
		}
		b.do(
			click(chromedp.ID("logout")),
			chromedp.WaitVisible(chromedp.CSS(`header nav a[href="/login"]`)),
		)
		// The demo supervisor: the review queue, a claim held for a
		// decision and a decided one, the payouts and a batch, the
		// batch's export form refused for want of a reason, the dashboard,
		// and the audit trail: whole, filtered to an outage (its
		// correction's changes) and refused for a malformed date.
		b.login(base, "supervisor@demo.bosang.kr", demoPassword, "nav-payouts")
		for _, p := range supervisor {
			b.axeCheck(base, p, lang, "supervisor", axeSrc)
		}
		b.logout()
		// The demo claimant's claims list: the first page, a page past the
		// oldest claim (links back to the newest) and a stale cursor (a
		// notice that the list starts over); the account page and the
		// verification page of each channel, as after a code was sent.
		b.login(base, "user@demo.bosang.kr", demoPassword, "nav-claims")
		for _, p := range []string{"/claims", "/claims?next=" + oldestClaim, "/claims?next=stale",
			"/account", "/account/verify", "/account/verify?channel=email&sent=1"} {
			b.axeCheck(base, p, lang, "claimant", axeSrc)
		}
		b.logout()
		// The demo admin: users, an account, and the policies.
		b.login(base, "admin@demo.bosang.kr", demoPassword, "nav-admin")
		for _, p := range admin {
			b.axeCheck(base, p, lang, "admin", axeSrc)
		}
		b.logout()
	}
}

// axeCheck opens path, runs axe on it and reports each violation; who
// (the visitor) names the screenshot.
func (b *browserT) axeCheck(base, path, lang, who string, axeSrc []byte) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.ID("main")),
	)
	if u := b.location(); u.RequestURI() != path {
		b.t.Errorf("%s ended at %s", path, u.RequestURI())
	}
	b.axeHere(path, lang, who, axeSrc)
}

// axeSecondFactor logs email (staff, not enrolled yet) in and runs axe on
// each page of the second factor as it comes, then logs out.
func (b *browserT) axeSecondFactor(base, email, lang string, axeSrc []byte) {
	b.t.Helper()
	app := b.authenticator()
	password := func() {
		b.do(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login-submit")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), demoPassword),
			click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("mfa-submit")),
		)
	}
	password()
	b.axeHere("/login (enrolment)", lang, "staff", axeSrc)
	app.enrol(email, b.text("#mfa-secret"))
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), "12345"),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	b.axeHere("/login/mfa (wrong code)", lang, "staff", axeSrc)
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), app.code(b.t, email)),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")),
	)
	b.axeHere("/login/mfa (recovery codes)", lang, "staff", axeSrc)
	b.logout()
	password()
	b.axeHere("/login (code)", lang, "staff", axeSrc)
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), app.code(b.t, email)),
		click(chromedp.ID("mfa-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)
	b.logout()
}

// axeHere runs axe on the page the browser shows, named path in the
// report and the screenshot, and reports each violation.
func (b *browserT) axeHere(path, lang, who string, axeSrc []byte) {
	b.t.Helper()
	b.wantAttr("html", "lang", lang)
	// axe defines window.axe; evaluating it again on the same document is
	// harmless, and every navigation starts a fresh one anyway.
	b.do(chromedp.Evaluate[chromedp.Void](string(axeSrc)))
	if v, err := chromedp.Run(b.step(), chromedp.Evaluate[string](`axe.version`)); err != nil || v == "" {
		b.fatal(fmt.Errorf("axe-core did not load on %s: version %q, %v", path, v, err))
	}
	violations, err := chromedp.Run(b.step(), chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(fmt.Errorf("axe on %s (%s, %s): %w", path, lang, who, err))
	}
	name := strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_", "%3A", "", " ", "_", "(", "", ")", "").Replace(strings.TrimPrefix(path, "/"))
	if name == "" {
		name = "home"
	}
	b.shot(fmt.Sprintf("a11y-%s-%s-%s.png", lang, who, name))
	for _, v := range violations {
		var first string
		if len(v.Nodes) > 0 {
			n := v.Nodes[0]
			targets := make([]string, len(v.Nodes))
			for i, n := range v.Nodes {
				targets[i] = n.Target
			}
			first = fmt.Sprintf("\n\tnodes: %s\n\tfirst: %s\n\t%s", strings.Join(targets, " "), n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t"))
		}
		b.t.Errorf("%s (%s, %s): axe %s [%s]: %s (%s)%s", path, lang, who, v.ID, v.Impact, v.Help, v.HelpURL, first)
	}
}

// prepareStaffPages has the demo reviewer approve the oldest demo claim, the
// demo supervisor build a batch of it and take the next claim, and returns
// the approved claim, the held one and the batch.
func prepareStaffPages(ctx context.Context, t *testing.T, a *app) (decided, held, batch string) {
	t.Helper()
	rev, err := a.db.UserByEmail(ctx, "reviewer@demo.bosang.kr")
	if err != nil {
		t.Fatalf("demo reviewer: %v", err)
	}
	sup, err := a.db.UserByEmail(ctx, "supervisor@demo.bosang.kr")
	if err != nil {
		t.Fatalf("demo supervisor: %v", err)
	}
	v, err := a.review.Next(ctx, rev)
	if err != nil {
		t.Fatalf("review next: %v", err)
	}
	amount := int64(10_000)
	if _, err := a.review.Decide(ctx, rev, v.ID, &v.Version, review.DecisionInput{Outcome: "approve", AmountKRW: &amount}); err != nil {
		t.Fatalf("approve %s: %v", v.Number, err)
	}
	b, err := a.payouts.Build(ctx, payout.Access{Actor: sup, IP: "127.0.0.1"}, "")
	if err != nil {
		t.Fatalf("build a batch: %v", err)
	}
	h, err := a.review.Next(ctx, sup)
	if err != nil {
		t.Fatalf("review next: %v", err)
	}
	return v.ID, h.ID, b.ID
}

// pendingSubscriptionToken reads the link token of the one outage
// subscription confirmation queued, as its e-mail would carry it.
func pendingSubscriptionToken(ctx context.Context, t *testing.T, a *app) string {
	t.Helper()
	sqlDB, err := a.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	m := models.OutboxMessage{Topic: outage.TopicSubscribeConfirm}
	if err := sqlDB.QueryRowContext(ctx, "SELECT id, payload FROM outbox WHERE topic = '"+outage.TopicSubscribeConfirm+"'").Scan(&m.ID, &m.Payload); err != nil {
		t.Fatalf("confirmation message: %v", err)
	}
	mail, err := a.outages.OpenMail(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	return mail.Token
}
