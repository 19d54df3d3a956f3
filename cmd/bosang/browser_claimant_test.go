package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/store/dbtest"
)

// TestBrowserClaimantJourney walks a claimant's main journey on a 390x844
// phone and on a 1280x800 desktop, in Korean: check eligibility, file a
// claim with a mistake first (the error summary, the typed account number
// kept), fix it, read the confirmation, open the claim, and find it on the
// home page. axe runs on every page visited (0 violations), and each page
// is checked for sideways overflow. On a failure the last screenshot is
// failure.png in the test's artifact directory (kept with -artifacts).
func TestBrowserClaimantJourney(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) { testBrowserClaimantJourney(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		testBrowserClaimantJourney(t, dsn)
	})
}

// The claimants of the journey, one per screen size.
var journeyClaimants = map[string]string{"phone": "phone-claimant@example.kr", "desktop": "desk-claimant@example.kr"}

const claimantJourneyPassword = "Bosang-claimant-2024"

func testBrowserClaimantJourney(t *testing.T, databaseURL string) {
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core (run `make vendor` to fetch it): %v", err)
	}
	var outageID string
	var start, end time.Time
	prepare := prepareMerchantOutage(t, &outageID, &start, &end)
	base := startPortalWith(t, databaseURL, func(ctx context.Context, getenv func(string) string) {
		prepare(ctx, getenv)
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		for _, email := range journeyClaimants {
			if _, err := a.auth.CreateUser(ctx, auth.NewUser{Email: email, Password: claimantJourneyPassword, Name: "김청구", Phone: "010-2345-6789", Role: "claimant"}); err != nil {
				t.Fatalf("create claimant %s: %v", email, err)
			}
		}
	})
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"phone", 390, 844}, {"desktop", 1280, 800}} {
		t.Run(size.name, func(t *testing.T) {
			shots := t.ArtifactDir()
			t.Logf("screenshots in %s", shots)
			b := newBrowser(t, shots)
			if size.name == "phone" {
				b.do(chromedp.EmulateViewport(size.width, size.height, chromedp.EmulateMobile, chromedp.EmulatePortrait))
			} else {
				b.do(chromedp.EmulateViewport(size.width, size.height))
			}
			b.claimantJourney(base, journeyClaimants[size.name], outageID, end, axeSrc, size.name)
		})
	}
}

// claimantJourney is the journey of one claimant on the browser's screen.
func (b *browserT) claimantJourney(base, email, outageID string, end time.Time, axeSrc []byte, who string) {
	b.t.Helper()
	page := func(path string) {
		b.t.Helper()
		b.wantNoOverflow(path)
		b.axeHere(path, "ko", who, axeSrc)
	}
	b.login(base, email, claimantJourneyPassword, "logout")

	// The checker: the outage of two days ago, open for claims.
	at := end.Add(-time.Hour).In(kstZone).Format("2006-01-02T15:04")
	b.do(
		chromedp.Navigate(base+"/eligibility"),
		chromedp.WaitVisible(chromedp.ID("eligibility-submit")),
		chromedp.SetValue(chromedp.ID("elig-service"), "paymoa"),
		click(chromedp.ID("role-user")),
		chromedp.SetValue(chromedp.ID("elig-at"), at),
		click(chromedp.ID("eligibility-submit")),
		chromedp.WaitVisible(chromedp.ID("results")),
	)
	page("/eligibility (results)")
	b.do(
		click(chromedp.CSS(`#results a[role="button"][href^="/claims/new?outage=`+outageID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("claim-submit")),
	)
	b.wantPath("/claims/new")
	page("/claims/new")

	// A first try without the holder and the consent: the summary lists
	// both, links them, and the account number stays.
	b.do(
		chromedp.SendKeys(chromedp.ID("description"), "결제가 되지 않아 이틀 동안 구독 서비스를 쓰지 못했습니다."),
		chromedp.SendKeys(chromedp.ID("monthly-fee"), "9,900"),
		chromedp.SetValue(chromedp.ID("payout-bank"), "004"),
		chromedp.SendKeys(chromedp.ID("payout-number"), "110-123-456789"),
		click(chromedp.ID("claim-submit")),
		chromedp.WaitVisible(chromedp.ID("error-summary")),
	)
	title, err := chromedp.Run(b.step(), chromedp.Title())
	if err != nil {
		b.fatal(err)
	}
	if !strings.HasPrefix(title, "오류: ") {
		b.t.Errorf("title after the mistake = %q, want it to start with 오류:", title)
	}
	for _, anchor := range []string{"payout-holder", "consent"} {
		if !b.eval(`document.querySelector('#error-summary a[href="#` + anchor + `"]') !== null`) {
			b.t.Errorf("the error summary does not link #%s", anchor)
		}
	}
	if got := b.value("#payout-number"); got != "110-123-456789" {
		b.t.Errorf("account number after the mistake = %q, want it kept", got)
	}
	page("/claims/new (errors)")

	// Fixed from the summary's link: the claim is filed.
	b.do(
		click(chromedp.CSS(`#error-summary a[href="#payout-holder"]`)),
		chromedp.SendKeys(chromedp.ID("payout-holder"), "김청구"),
		click(chromedp.ID("consent")),
		click(chromedp.ID("claim-submit")),
		chromedp.WaitVisible(chromedp.ID("confirmation")),
	)
	number := b.text("#confirmation-number")
	if !strings.HasPrefix(number, "BS-") || b.text("#claim-number") != number {
		b.t.Errorf("confirmation number %q, claim number %q; want the same BS- number", number, b.text("#claim-number"))
	}
	b.wantContains("#confirmation", "다음에 일어나는 일", "14일 이내", "이메일")
	page("/claims/:id (confirmation)")

	// The claim, opened later: no confirmation, no hashes, who acted.
	claimPath := b.location().Path
	b.do(
		chromedp.Navigate(base+claimPath),
		chromedp.WaitVisible(chromedp.ID("claim-number")),
	)
	if b.eval(`document.getElementById('confirmation') !== null || document.body.innerText.includes('SHA-256')`) {
		b.t.Error("the claim page shows the confirmation again or a file hash")
	}
	b.wantContains("#timeline", "(본인)")
	page("/claims/:id")

	// Home lists the claim; the status page and the claims list fit.
	b.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("my-claims")))
	b.wantContains("#my-claims", number)
	page("/")
	b.do(chromedp.Navigate(base+"/status"), chromedp.WaitVisible(chromedp.ID("status-banner")))
	page("/status")
	b.do(chromedp.Navigate(base+"/claims"), chromedp.WaitVisible(chromedp.ID("claims")))
	b.wantContains("#claims", number)
	page("/claims")
}
