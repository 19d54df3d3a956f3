package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/offers"
)

const (
	offerDriverEmail    = "pro-driver@example.kr"
	offerDriverPassword = "pro driver passphrase"
)

// offerAccounts is the file the supervisor uploads in TestBrowserOfferJourney:
// a Pro driver owed the membership refund, paid on acceptance, and a free
// rider given in-kind items without any action.
const offerAccounts = "account_ref,category,name,phone,email,monthly_fee_krw,settlement\n" +
	"BR-PRO-1,driver,김기사,010-3456-7890,,\"39,000\",bank\n" +
	"BR-FREE-1,free_user,이무료,010-3456-7891,,,\n"

// TestBrowserOfferJourney is issue 14's journey over the demo data: a
// supervisor uploads the affected accounts of the 2022 Kakao T outage on
// the import page and watches it finish; a Pro driver whose verified phone
// the file names logs in on a phone, finds the offer under "My offers",
// sees ₩7,550 with its steps, accepts by bank transfer and reaches the
// approved claim; the supervisor's next payout batch of the outage holds
// that claim, and the credit file holds the free rider's in-kind grant,
// which nobody acted on. Before logging in, the offer's link shows nothing
// of it. axe finds nothing on the pages visited; none scrolls sideways.
func TestBrowserOfferJourney(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		var kakaoT string
		b, base, axeSrc, a := journeyApp(t, databaseURL, prepareOfferJourney(t, &kakaoT))
		// The portal works its jobs, as `bosang serve` does: the import
		// runs in the Batch lane.
		startRunner(t, a)
		file := filepath.Join(t.TempDir(), "kakao-t-affected.csv")
		if err := os.WriteFile(file, []byte(offerAccounts), 0o600); err != nil {
			t.Fatal(err)
		}

		// The supervisor imports the file and follows it to the end.
		b.login(base, "supervisor@demo.bosang.kr", demoPassword, "nav-imports")
		b.do(
			click(chromedp.ID("nav-imports")),
			chromedp.WaitVisible(chromedp.ID("import-submit")),
			chromedp.SetValue(chromedp.ID("import-outage"), kakaoT),
			chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		)
		b.axeHere("/imports", "ko", "supervisor", axeSrc)
		b.do(
			click(chromedp.ID("import-submit")),
			chromedp.WaitVisible(chromedp.CSS(`#import-status[data-status="done"]`)),
		)
		b.wantText("#import-rows", "2")
		b.wantText("#import-offers", "2")
		b.wantText("#import-rejected", "0")
		b.axeHere("/imports/{id}", "ko", "supervisor", axeSrc)
		b.shot("offer-01-import-done.png")
		b.logout()

		// The SMS's link alone shows nothing of the offer.
		link := "/offers/" + offerToken(t, a, "01034567890")
		phone := journeyScreens[0]
		b.resize(phone)
		b.visit(base, link, "offer-login", "guest", phone, axeSrc)
		if strings.Contains(b.text("main"), "7,550") {
			t.Error("the offer's link shows the amount before the driver logs in")
		}

		// The Pro driver, on a phone, finds the offer under "My offers"
		// and, from the SMS's link, opens it.
		b.login(base, offerDriverEmail, offerDriverPassword, "logout")
		b.visit(base, "/account/offers", "offers", "driver", phone, axeSrc)
		b.wantContains("#offers", "₩7,550")
		b.do(chromedp.Navigate(base+link), chromedp.WaitVisible(chromedp.ID("offer-amount")))
		b.wantText("#offer-amount", "₩7,550")
		b.wantContains("#offer-steps", "₩39,000", "₩7,550")
		b.axeHere("/account/offers/{id}", "ko", "driver-phone", axeSrc)
		b.wantNoOverflow("offer page at phone")
		b.shot("offer-02-offer.png")
		b.do(
			chromedp.SetValue(chromedp.CSS(`#offer-accept-form select[name="payout_account.bank"]`), "004"),
			chromedp.SendKeys(chromedp.CSS(`#offer-accept-form input[name="payout_account.number"]`), "110-123-456789"),
			chromedp.SendKeys(chromedp.CSS(`#offer-accept-form input[name="payout_account.holder"]`), "김기사"),
			click(chromedp.ID("offer-accept")),
			chromedp.WaitVisible(chromedp.ID("offer-claim")),
		)
		b.wantText("#offer-status", "수락함")
		b.axeHere("/account/offers/{id}?done=accepted", "ko", "driver-phone", axeSrc)
		b.do(click(chromedp.ID("offer-claim")), chromedp.WaitVisible(chromedp.ID("claim-status")))
		b.wantText("#claim-status", "승인")
		number := b.text("#claim-number")
		b.shot("offer-03-claim.png")
		b.logout()

		// The supervisor's next payout batch of the outage pays it.
		b.resize(journeyScreens[len(journeyScreens)-1])
		b.login(base, "supervisor@demo.bosang.kr", demoPassword, "nav-payouts")
		b.do(
			click(chromedp.ID("nav-payouts")),
			chromedp.WaitVisible(chromedp.ID("build-submit")),
			chromedp.SetValue(chromedp.ID("build-outage"), kakaoT),
			click(chromedp.ID("build-submit")),
			chromedp.WaitVisible(chromedp.ID("export-form")),
		)
		b.wantContains("#batch-items-table", number, "₩7,550")
		b.shot("offer-04-batch.png")

		// The credit file holds the free rider's grant, with no action taken.
		credits := b.fetchText("/imports/credits?outage_id=" + kakaoT + "&reason=" + "billing+run")
		if !strings.Contains(credits, "BR-FREE-1,free_user") || !strings.Contains(credits, ",granted") || strings.Contains(credits, "BR-PRO-1") {
			t.Fatalf("the credit file lacks the free rider's grant or holds the cash offer:\n%s", credits)
		}
	})
}

// fetchText fetches path in the page (with its session) and returns the
// body, failing on a status other than 200.
func (b *browserT) fetchText(path string) string {
	b.t.Helper()
	expr := fmt.Sprintf(`fetch(%q).then(r => r.ok ? r.text() : Promise.reject(new Error("status " + r.status)))`, path)
	body, err := chromedp.Run(b.step(), chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(fmt.Errorf("fetch %s: %w", path, err))
	}
	return body
}

// prepareOfferJourney seeds the demo data and a Pro driver whose phone,
// 010-3456-7890, is verified; kakaoT gets the demo Kakao T outage's id.
func prepareOfferJourney(t *testing.T, kakaoT *string) func(ctx context.Context, getenv func(string) string) {
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
		if _, err := a.auth.CreateUser(ctx, auth.NewUser{Email: offerDriverEmail, Password: offerDriverPassword, Name: "김기사",
			Phone: "010-3456-7890", Role: "claimant"}); err != nil {
			t.Fatal(err)
		}
		if err := verifyDemoPhones(ctx, a, offerDriverEmail); err != nil {
			t.Fatal(err)
		}
		if *kakaoT, err = demoOutageOf(ctx, a, "kakao-t"); err != nil {
			t.Fatal(err)
		}
	}
}

// offerToken opens the SMS the import queued for phone (digits) and
// returns its link's token, as the phone's owner would read it.
func offerToken(t *testing.T, a *app, phone string) string {
	t.Helper()
	ctx := context.Background()
	sqlDB, err := a.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.QueryContext(ctx, "SELECT id FROM outbox WHERE topic = $1", offers.TopicSMS)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		m, err := a.db.OutboxMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := offers.OpenMessage(a.sealer, *m)
		if err != nil {
			t.Fatal(err)
		}
		if msg.To == phone {
			return msg.Token
		}
	}
	t.Fatalf("no offer SMS to %s among %d", phone, len(ids))
	return ""
}
