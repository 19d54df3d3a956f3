package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store/dbtest"
)

// The claimant TestBrowserReviewToPaid follows.
const (
	reviewClaimantEmail    = "fresh-claimant@example.kr"
	reviewClaimantPassword = "Saebyeok-2022-claim"
)

// TestBrowserReviewToPaid follows one claim from the queue to the bank, on
// a phone, in Korean, over the demo data: a reviewer takes it and asks for
// a supplement, the claimant answers on the claim page, the reviewer takes
// it again and approves, a supervisor builds a batch, exports the transfer
// file with a reason and marks it paid, and the claimant's page says
// "지급 완료". It runs once on SQLite and once on PostgreSQL.
func TestBrowserReviewToPaid(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) {
		testBrowserReviewToPaid(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop) // runs last: after the server and the app are gone
		testBrowserReviewToPaid(t, dsn)
	})
}

// prepareReview seeds the demo data and files, for a fresh claimant, a
// claim on the KakaoTalk outage dated five days after the fire: before the
// demo claims (filed on 25 October), so it is the oldest in the queue and
// "take the next claim" gives it.
func prepareReview(t *testing.T, claimID, number, outageID *string) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		if err := run(ctx, []string{"seed", "--demo"}, getenv, io.Discard); err != nil {
			t.Fatalf("seed --demo: %v", err)
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		u, err := a.auth.CreateUser(ctx, auth.NewUser{Email: reviewClaimantEmail, Password: reviewClaimantPassword, Name: "새벽 손",
			Phone: "010-9876-5432", Role: "claimant"})
		if err != nil {
			t.Fatalf("create claimant: %v", err)
		}
		views, err := a.outages.List(ctx, outage.Filter{})
		if err != nil {
			t.Fatalf("list outages: %v", err)
		}
		o := outageOf(views, "kakaotalk")
		if o == nil {
			t.Fatalf("the demo data has no kakaotalk outage")
		}
		filedAt := time.Date(2022, 10, 20, 10, 0, 0, 0, kstZone)
		svc := a.claims.WithClock(func() time.Time { return filedAt })
		key := uuid.NewString()
		if _, err := svc.BeginRequest(ctx, u.ID, key, []byte(key)); err != nil {
			t.Fatalf("begin request: %v", err)
		}
		v, _, err := svc.File(ctx, u, key, claims.NewClaim{OutageID: o.ID, Category: "paid_subscriber", Monetary: true,
			Description: "톡서랍 플러스 구독 중인데 사진과 파일을 보낼 수 없었습니다.", Details: map[string]any{"monthly_fee_krw": 2900},
			PayoutAccount: claims.Account{Bank: "088", Number: "110-987-654321", Holder: "새벽 손"}}, demoAnswer)
		if err != nil {
			t.Fatalf("file the claim: %v", err)
		}
		if v.Status != "submitted" {
			t.Fatalf("the fresh claim is %s, want submitted", v.Status)
		}
		*claimID, *number, *outageID = v.ID, v.Number, o.ID
	}
}

// login logs in through the login form, and for staff the second
// factor's form after it, and waits for the page it lands on.
func (b *browserT) login(base, email, password, waitID string) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#mfa-submit, #"+waitID)),
	)
	if b.present("mfa-submit") {
		b.secondFactor(email, waitID)
	}
}

func (b *browserT) logout() {
	b.t.Helper()
	b.do(
		click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.CSS(`header nav a[href="/login"]`)),
	)
}

func testBrowserReviewToPaid(t *testing.T, databaseURL string) {
	var claimID, number, outageID string
	base := startPortalWith(t, databaseURL, prepareReview(t, &claimID, &number, &outageID))
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	b := newBrowser(t, shots)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	claimPath := "/claims/" + claimID
	reviewPath := "/review/claims/" + claimID

	// The reviewer opens the queue and takes the next claim: the fresh one.
	b.login(base, "reviewer@demo.bosang.kr", demoPassword, "nav-review")
	b.do(
		click(chromedp.ID("nav-review")),
		chromedp.WaitVisible(chromedp.ID("take-next")),
	)
	b.wantPath("/review")
	b.wantContains("#queue", number)
	b.wantNoOverflow("review queue")
	b.shot("01-queue.png")
	b.do(
		click(chromedp.ID("take-next")),
		chromedp.WaitVisible(chromedp.ID("decision-form")),
	)
	b.wantPath(reviewPath)
	b.wantText("#claim-number", number)
	b.wantText("#claim-status", "심사 중")
	b.wantNoOverflow("review claim")
	b.shot("02-review-claim.png")

	// A supplement request, due at the end of a day in the future.
	const ask = "톡서랍 플러스 결제 내역(영수증)을 올려 주세요."
	b.do(
		click(chromedp.ID("outcome-request_supplement")),
		chromedp.SendKeys(chromedp.ID("note"), ask),
		chromedp.SetValue(chromedp.ID("due_at"), time.Now().AddDate(0, 0, 10).Format("2006-01-02")),
	)
	b.shot("03-request-supplement.png")
	b.do(
		click(chromedp.ID("decision-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantPath("/review")
	b.wantContains("#notice", number, "보완 요청")
	b.shot("04-queue-after-request.png")
	b.logout()

	// The claimant reads the request on the claim page and answers it.
	b.login(base, reviewClaimantEmail, reviewClaimantPassword, "nav-claims")
	b.do(
		chromedp.Navigate(base+claimPath),
		chromedp.WaitVisible(chromedp.ID("supplement-form")),
	)
	b.wantText("#claim-status", "보완 요청")
	b.wantText("#supplement-request", ask)
	b.wantNoOverflow("claim")
	b.do(chromedp.SendKeys(chromedp.ID("supplement-body"), "1월~10월 결제 내역을 첨부합니다. 매달 2,900원이 결제되었습니다."))
	b.shot("05-supplement-form.png")
	b.do(
		click(chromedp.ID("supplement-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantPath(claimPath)
	b.wantText("#claim-status", "접수됨")
	if b.eval(`document.getElementById("supplement-form") !== null`) {
		t.Error("the claim page still shows the supplement form after the answer")
	}
	b.shot("06-supplement-sent.png")
	b.logout()

	// The reviewer takes it again and approves ₩2,900.
	b.login(base, "reviewer@demo.bosang.kr", demoPassword, "nav-review")
	b.do(
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(chromedp.ID("take-next")),
		click(chromedp.ID("take-next")),
		chromedp.WaitVisible(chromedp.ID("decision-form")),
	)
	b.wantPath(reviewPath)
	b.wantContains("#decisions", "보완 요청", "보완 제출")
	b.do(
		click(chromedp.ID("outcome-approve")),
		chromedp.SetValue(chromedp.ID("amount_krw"), "2,900"),
	)
	b.shot("07-approve.png")
	b.do(
		click(chromedp.ID("decision-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantPath(reviewPath)
	b.wantText("#claim-status", "승인")
	b.wantNoOverflow("review claim")
	b.shot("08-approved.png")
	b.logout()

	// The supervisor builds a batch of the KakaoTalk outage.
	b.login(base, "supervisor@demo.bosang.kr", demoPassword, "nav-payouts")
	b.do(
		click(chromedp.ID("nav-payouts")),
		chromedp.WaitVisible(chromedp.ID("build-submit")),
		chromedp.SetValue(chromedp.ID("build-outage"), outageID),
	)
	b.wantPath("/payouts")
	b.wantNoOverflow("payouts")
	b.shot("09-payouts.png")
	b.do(
		click(chromedp.ID("build-submit")),
		chromedp.WaitVisible(chromedp.ID("export-form")),
	)
	batchPath := b.location().Path
	if !strings.HasPrefix(batchPath, "/payouts/") {
		b.fatal(fmt.Errorf("after building the browser is at %s, want /payouts/:id", batchPath))
	}
	b.wantContains("#batch-items-table", number, "₩2,900")
	b.wantText("#batch-status", "진행 중")

	// Exporting without a reason is refused with the form again.
	b.do(
		click(chromedp.ID("export-submit")),
		chromedp.WaitVisible(chromedp.ID("export-reason-error")),
	)
	b.wantPath(batchPath + "/export")
	b.shot("10-export-no-reason.png")

	// With a reason, the file: fetched with the page's session, as the
	// download would be.
	exportURL := batchPath + "/export?format=csv&reason=" + "2022%EB%85%84%2010%EC%9B%94%20%EC%A0%95%EA%B8%B0%20%EC%9D%B4%EC%B2%B4"
	file, err := chromedp.Run(b.step(), chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r =>
		r.status + " " + (r.headers.get("Content-Disposition") || ""))`, exportURL), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(err)
	}
	if !strings.HasPrefix(file, "200 attachment;") {
		t.Errorf("export with a reason: got %q, want 200 attachment", file)
	}
	file2, err := chromedp.Run(b.step(), chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => r.arrayBuffer()).then(b => new TextDecoder("utf-8", {ignoreBOM: true}).decode(b))`, exportURL), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(err)
	}
	if !strings.HasPrefix(file2, "\ufeff번호,은행코드,") || !strings.Contains(file2, "110-987-654321") || !strings.Contains(file2, "2900") {
		t.Errorf("the transfer file starts %q, want the BOM, the header and the decrypted account", file2[:min(len(file2), 120)])
	}

	// Mark every pending transfer paid.
	b.do(
		chromedp.Navigate(base+batchPath),
		chromedp.WaitVisible(chromedp.ID("settle-all-form")),
		chromedp.SendKeys(chromedp.ID("settle-prefix"), "KB20221026"),
	)
	b.wantNoOverflow("payout batch")
	b.shot("11-batch.png")
	// Without the confirmation nothing is marked paid: the form asks for it.
	b.do(
		click(chromedp.ID("settle-all-submit")),
		chromedp.WaitVisible(chromedp.ID("settle-all-confirm-error")),
	)
	b.wantText("#batch-status", "진행 중")
	b.do(
		click(chromedp.ID("settle-all-confirm")),
		click(chromedp.ID("settle-all-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantText("#batch-status", "정산 완료")
	b.wantContains("#batch-items-table", "KB20221026-"+number)
	b.shot("12-settled.png")
	b.logout()

	// The claimant's page: paid.
	b.login(base, reviewClaimantEmail, reviewClaimantPassword, "nav-claims")
	b.do(
		chromedp.Navigate(base+claimPath),
		chromedp.WaitVisible(chromedp.ID("claim-status")),
	)
	b.wantText("#claim-status", "지급 완료")
	b.wantContains("#events", "지급 완료")
	b.wantNoOverflow("claim")
	b.shot("13-paid-ko.png")
	b.do(
		click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #claim-status`)),
	)
	b.wantText("#claim-status", "Paid")
	b.shot("14-paid-en.png")
}
