package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

const (
	offerDriverEmail    = "pro-driver@example.kr"
	offerDriverPassword = "pro driver passphrase"
)

// TestBrowserOfferAccept: a Pro driver whose verified phone an import
// named opens the announcement's link on a phone, sees ₩7,550 with its
// steps, looks at "I lost more", accepts by bank transfer and follows the
// link to the approved claim; before logging in the link shows nothing
// of the offer. axe finds nothing on any page visited, and no page
// scrolls sideways.
func TestBrowserOfferAccept(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		var offerID, token string
		b, base, axeSrc := journey(t, databaseURL, prepareOffer(t, &offerID, &token))
		phone := journeyScreens[0]
		b.resize(phone)
		b.visit(base, "/offers/"+token, "offer-login", "guest", phone, axeSrc)

		b.login(base, offerDriverEmail, offerDriverPassword, "claims-title")
		b.do(chromedp.Navigate(base+"/offers/"+token), chromedp.WaitVisible(chromedp.ID("offer-amount")))
		b.wantPath("/account/offers/" + offerID)
		b.wantText("#offer-amount", "₩7,550")
		b.wantContains("#offer-steps", "₩39,000", "₩7,550")
		b.axeHere("/account/offers/{id}", "ko", "driver-phone", axeSrc)
		b.wantNoOverflow("offer page at phone")
		b.visit(base, "/account/offers", "offers", "driver", phone, axeSrc)
		b.visit(base, "/account/offers/"+offerID+"?contest=1", "offer-contest-form", "driver", phone, axeSrc)

		b.do(
			chromedp.Navigate(base+"/account/offers/"+offerID),
			chromedp.WaitVisible(chromedp.ID("offer-accept")),
			chromedp.SetValue(chromedp.CSS(`#offer-accept-form select[name="payout_account.bank"]`), "004"),
			chromedp.SendKeys(chromedp.CSS(`#offer-accept-form input[name="payout_account.number"]`), "110-123-456789"),
			chromedp.SendKeys(chromedp.CSS(`#offer-accept-form input[name="payout_account.holder"]`), "김기사"),
			chromedp.Click(chromedp.ID("offer-accept")),
			chromedp.WaitVisible(chromedp.ID("offer-claim")),
		)
		b.wantText("#offer-status", "수락함")
		b.axeHere("/account/offers/{id}?done=accepted", "ko", "driver-phone", axeSrc)
		b.do(chromedp.Click(chromedp.ID("offer-claim")), chromedp.WaitVisible(chromedp.ID("claim-status")))
		b.wantText("#claim-status", "승인")
	})
}

// prepareOffer records the Kakao T-like outage of 2022, an import with
// one cash offer of ₩7,550 to a Pro driver at 010-3456-7890, and the
// driver's account with that phone verified.
func prepareOffer(t *testing.T, offerID, token *string) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
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
		op, err := a.auth.CreateUser(ctx, auth.NewUser{Email: "op-offer@example.kr", Password: offerDriverPassword, Name: "운영자", Role: "operator"})
		if err != nil {
			t.Fatal(err)
		}
		end := time.Now().Add(-48 * time.Hour).Truncate(time.Hour)
		start := end.Add(-22 * time.Hour)
		o, err := a.outages.Create(ctx, op, outage.NewOutage{ServiceID: "byeol-taxi", Features: []string{"hailing"},
			StartedAt: &start, EndedAt: &end, Cause: "fire", Summary: "데이터센터 화재"})
		if err != nil {
			t.Fatalf("create outage: %v", err)
		}
		driver, err := a.auth.CreateUser(ctx, auth.NewUser{Email: offerDriverEmail, Password: offerDriverPassword, Name: "김기사", Phone: "010-3456-7890", Role: "claimant"})
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, err := a.db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		importID := uuid.NewString()
		for _, q := range []string{
			"UPDATE users SET phone_verified_at = '2024-01-01 00:00:00+00:00' WHERE id = '" + driver.ID + "'",
			"INSERT INTO offer_imports (id, outage_id, created_by, filename, blob_key, size_bytes, status, acceptance_days, created_at, updated_at) VALUES ('" +
				importID + "', '" + o.ID + "', '" + op.ID + "', 'drivers.csv', 'k', 1, 'done', 30, '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00')",
		} {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		*token = uuid.NewString()
		sum := sha256.Sum256([]byte(*token))
		*offerID = uuid.NewString()
		if _, err := a.db.Offers().InsertOffers(ctx, []models.Offer{{ID: *offerID, OutageID: o.ID, ImportID: importID, AccountRef: "PRO-1",
			Category: "driver", Name: "김기사", Phone: "01034567890", MonthlyFeeKRW: 39000, Settlement: "bank", AmountKRW: 7550, PolicyVersion: 1,
			Steps:  `[{"label":"월 이용료","label_en":"Monthly fee","value":"₩39,000"},{"label":"보상액","label_en":"Compensation","value":"₩7,550"}]`,
			Status: "offered", TokenHash: hex.EncodeToString(sum[:]), ExpiresAt: now.Add(30 * 24 * time.Hour), Version: 1, CreatedAt: now, UpdatedAt: now}}); err != nil {
			t.Fatal(err)
		}
	}
}
