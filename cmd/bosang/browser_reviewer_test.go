package main

import (
	"context"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReviewerSearchTakeDecide walks a reviewer's day on a phone
// (390x844) and on a laptop (1280x800) over the demo data, on SQLite: log
// in with the second factor, find a claim on the search page, take it with
// 맡기, approve it above the authority limit (it waits for a second
// approval), then the supervisor's "take next" serves that waiting claim
// first and approves it. axe runs on every page visited (0 violations);
// screenshots, and failure.png on a failure, go to the test's artifact
// directory, which the log names.
func TestBrowserReviewerSearchTakeDecide(t *testing.T) {
	requireChromium(t)
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}
	var claimID, number, outageID, secondNumber string
	base := startPortalWith(t, "", func(ctx context.Context, getenv func(string) string) {
		prepareReview(t, &claimID, &number, &outageID)(ctx, getenv)
		secondNumber = fileSecondClaim(ctx, t, getenv)
	})
	shots := t.ArtifactDir()
	t.Logf("screenshots (and failure.png on a failure) in %s", shots)
	b := newBrowser(t, shots)

	for _, size := range []struct {
		name string
		view chromedp.Action[chromedp.Void]
		// search finds the claim to take: on the phone the fresh claimant's
		// first claim by its number, on the laptop their other claim by
		// their phone and the status (the first is approved by then).
		search func()
	}{
		{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait), func() {
			b.do(chromedp.SendKeys(chromedp.ID("s-q"), number))
		}},
		{"desktop", chromedp.EmulateViewport(1280, 800), func() {
			b.do(
				chromedp.SendKeys(chromedp.ID("s-q"), "01098765432"),
				click(chromedp.CSS("#search-filters summary")),
				chromedp.SetValue(chromedp.ID("s-status"), "submitted"),
			)
		}},
	} {
		who := "reviewer-" + size.name
		b.do(size.view)
		b.login(base, "reviewer@demo.bosang.kr", demoPassword, "nav-review")
		b.do(
			chromedp.Navigate(base+"/review"),
			chromedp.WaitVisible(chromedp.ID("search-link")),
		)
		b.axeHere("/review", "ko", who, axeSrc)
		b.do(
			click(chromedp.ID("search-link")),
			chromedp.WaitVisible(chromedp.ID("search-form")),
		)
		b.wantPath("/review/search")
		b.axeHere("/review/search", "ko", who, axeSrc)
		size.search()
		b.do(
			click(chromedp.ID("search-submit")),
			chromedp.WaitVisible(chromedp.ID("results")),
		)
		if size.name == "phone" {
			b.wantContains("#results", number)
			b.wantNoOverflow("search results")
		} else {
			b.wantContains("#results", secondNumber)
		}
		b.axeHere("/review/search (results)", "ko", who, axeSrc)
		b.shot(size.name + "-01-search.png")

		b.do(
			click(chromedp.CSS("#results button.take")),
			chromedp.WaitVisible(chromedp.ID("decision-form")),
		)
		taken := b.location().Path
		if size.name == "phone" {
			b.wantPath("/review/claims/" + claimID)
			b.wantText("#claimant", "새**손") // "새벽 손"
		}
		b.wantText("#claim-status", "심사 중")
		b.wantContains("#notice", "맡았습니다")
		b.axeHere(taken, "ko", who, axeSrc)
		b.do(
			click(chromedp.ID("outcome-approve")),
			chromedp.SetValue(chromedp.ID("amount_krw"), "600,000"),
			click(chromedp.ID("decision-submit")),
			chromedp.WaitVisible(chromedp.ID("take-next")),
			chromedp.WaitVisible(chromedp.ID("notice")),
		)
		b.wantPath("/review")
		b.wantContains("#notice", "2차 승인 대기")
		b.axeHere("/review (decided)", "ko", who, axeSrc)
		b.shot(size.name + "-02-decided.png")
		b.logout()

		who = "supervisor-" + size.name
		b.login(base, "supervisor@demo.bosang.kr", demoPassword, "logout")
		b.do(
			chromedp.Navigate(base+"/review"),
			chromedp.WaitVisible(chromedp.ID("take-next")),
			click(chromedp.ID("take-next")),
			chromedp.WaitVisible(chromedp.ID("second-lead")),
		)
		if size.name == "phone" {
			b.wantPath("/review/claims/" + claimID) // the oldest waiting claim
		}
		b.wantText("#claim-status", "2차 승인 대기")
		b.axeHere(b.location().Path, "ko", who, axeSrc)
		b.do(
			click(chromedp.ID("outcome-approve")),
			click(chromedp.ID("decision-submit")),
			chromedp.WaitNotPresent(chromedp.ID("second-lead")),
			chromedp.WaitVisible(chromedp.ID("notice")),
		)
		b.wantText("#claim-status", "승인")
		b.axeHere(b.location().Path+" (approved)", "ko", who, axeSrc)
		b.shot(size.name + "-03-second-approval.png")
		b.logout()
	}
}

// fileSecondClaim files a second claim for prepareReview's claimant, on the
// Kakao Account outage, and returns its number.
func fileSecondClaim(ctx context.Context, t *testing.T, getenv func(string) string) string {
	t.Helper()
	a, err := open(ctx, getenv)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer a.Close()
	u, err := a.db.UserByEmail(ctx, reviewClaimantEmail)
	if err != nil {
		t.Fatalf("the fresh claimant: %v", err)
	}
	views, err := a.outages.List(ctx, outage.Filter{})
	if err != nil {
		t.Fatalf("list outages: %v", err)
	}
	o := outageOf(views, "kakao-account")
	if o == nil {
		t.Fatalf("the demo data has no kakao-account outage")
	}
	svc := a.claims.WithClock(func() time.Time { return time.Date(2022, 10, 21, 10, 0, 0, 0, kstZone) })
	key := uuid.NewString()
	if _, err := svc.BeginRequest(ctx, u.ID, key, []byte(key)); err != nil {
		t.Fatalf("begin request: %v", err)
	}
	v, _, err := svc.File(ctx, u, key, claims.NewClaim{OutageID: o.ID, Category: "paid_subscriber", Monetary: true,
		Description: "로그인이 되지 않아 유료 구독을 쓰지 못했습니다.", Details: map[string]any{"monthly_fee_krw": 4900},
		PayoutAccount: claims.Account{Bank: "088", Number: "110-987-654321", Holder: "새벽 손"}}, demoAnswer)
	if err != nil || v.Status != "submitted" {
		t.Fatalf("file the second claim: %v, %v; want it submitted", v, err)
	}
	return v.Number
}
