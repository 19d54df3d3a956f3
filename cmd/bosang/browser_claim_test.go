package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store/dbtest"
)

// TestBrowserMerchantClaim: a shop owner registers on a phone, records the
// shop's opening hours, files a claim for a recent payment outage with the
// card-sales CSV exported from the POS, and sees the estimate with its steps
// (the hourly baselines come from the file) and the claim's status.
func TestBrowserMerchantClaim(t *testing.T) {
	requireChromium(t)
	t.Run("sqlite", func(t *testing.T) { testBrowserMerchantClaim(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		testBrowserMerchantClaim(t, dsn)
	})
}

// prepareMerchantOutage records a six-hour payment outage that ended two
// days ago, so its claims are open.
func prepareMerchantOutage(t *testing.T, outageID *string, start, end *time.Time) func(ctx context.Context, getenv func(string) string) {
	return func(ctx context.Context, getenv func(string) string) {
		t.Helper()
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer a.Close()
		if _, err := a.outages.CreateService(ctx, outage.NewServiceInput{Code: "paymoa", Name: "페이모아", NameEN: "PayMoa", Paid: true,
			Provider: outage.NewProvider{Name: "페이모아", Kind: "value_added", PriorYearRevenueKRW: 90_000_000_000, AvgDailyUsers: 3_000_000},
			Features: []outage.NewFeature{{Code: "payment", Name: "결제", NameEN: "Payment"}}}); err != nil {
			t.Fatalf("create service: %v", err)
		}
		if err := run(ctx, []string{"user", "create", "--email", "op@paymoa.example", "--password", "paymoa-operator-1",
			"--name", "운영자", "--role", "operator"}, getenv, io.Discard); err != nil {
			t.Fatalf("create operator: %v", err)
		}
		op, err := a.db.UserByEmail(ctx, "op@paymoa.example")
		if err != nil {
			t.Fatal(err)
		}
		*end = time.Now().Add(-48 * time.Hour).Truncate(time.Hour)
		*start = end.Add(-6 * time.Hour)
		v, err := a.outages.Create(ctx, &models.User{ID: op.ID}, outage.NewOutage{ServiceID: "paymoa", Features: []string{"payment"},
			StartedAt: start, EndedAt: end, Cause: "equipment_fault", Summary: "결제 승인 서버 장애"})
		if err != nil {
			t.Fatalf("create outage: %v", err)
		}
		*outageID = v.ID
	}
}

// posSales is a POS export: ₩10,000 of card sales every hour for the five
// weeks before the outage and nothing while payment was down.
func posSales(start, end time.Time) string {
	var b strings.Builder
	b.WriteString("거래일시,결제금액\r\n")
	for h := start.Add(-35 * 24 * time.Hour); h.Before(start); h = h.Add(time.Hour) {
		fmt.Fprintf(&b, "%s,\"10,000\"\r\n", h.In(kstZone).Format("2006-01-02 15:04"))
	}
	return b.String()
}

func testBrowserMerchantClaim(t *testing.T, databaseURL string) {
	var outageID string
	var start, end time.Time
	base := startPortalWith(t, databaseURL, prepareMerchantOutage(t, &outageID, &start, &end))
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)
	csvPath := filepath.Join(t.TempDir(), "매출내역.csv")
	if err := os.WriteFile(csvPath, []byte(posSales(start, end)), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, shots)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	// Register, then log in.
	email := fmt.Sprintf("shop-%d@example.kr", time.Now().UnixNano())
	b.do(
		chromedp.Navigate(base+"/register"),
		chromedp.WaitVisible(chromedp.ID("register-submit")),
		chromedp.SendKeys(chromedp.ID("name"), "김사장"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("phone"), "010-2345-6789"),
		chromedp.SendKeys(chromedp.ID("password"), "cafe owner passphrase"),
		click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "cafe owner passphrase"),
		click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("account-title")),
	)
	b.shot("01-registered.png")

	// The shop's profile: registration number and opening hours (all day).
	b.do(
		chromedp.Navigate(base+"/account/profiles"),
		chromedp.WaitVisible(chromedp.ID("merchant-submit")),
		chromedp.SendKeys(chromedp.ID("merchant-business_number"), "120-81-47521"),
		chromedp.SendKeys(chromedp.ID("merchant-business_name"), "판교 소담 카페"),
		chromedp.SendKeys(chromedp.ID("merchant-business_type"), "카페"),
	)
	for _, day := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		b.do(chromedp.SetValue(chromedp.ID("open-"+day), "00:00"), chromedp.SetValue(chromedp.ID("close-"+day), "23:59"))
	}
	b.shot("02-profile.png")
	b.do(
		click(chromedp.ID("merchant-submit")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	b.wantNoOverflow("profiles")

	// File the claim with the sales file.
	b.do(
		chromedp.Navigate(base+"/claims/new?outage="+outageID),
		chromedp.WaitVisible(chromedp.ID("claim-submit")),
		click(chromedp.ID("outage-"+outageID)),
		click(chromedp.ID("category-merchant")),
		click(chromedp.ID("monetary-yes")),
		chromedp.SendKeys(chromedp.ID("description"), "카드 결제가 여섯 시간 동안 되지 않아 손님을 돌려보냈습니다."),
		chromedp.SendKeys(chromedp.ID("claimed-amount"), "200,000"),
		chromedp.SetValue(chromedp.ID("payout-bank"), "004"),
		chromedp.SendKeys(chromedp.ID("payout-number"), "110-123-456789"),
		chromedp.SendKeys(chromedp.ID("payout-holder"), "김사장"),
		click(chromedp.ID("consent")),
		chromedp.SetValue(chromedp.ID("evidence-kind"), "sales_records"),
		chromedp.SetUploadFiles(chromedp.ID("evidence-file"), []string{csvPath}),
	)
	b.wantNoOverflow("claim form")
	b.shot("03-claim-form.png")
	b.do(
		click(chromedp.ID("claim-submit")),
		chromedp.WaitVisible(chromedp.ID("claim-number")),
	)
	if !strings.HasPrefix(b.text("#claim-number"), "BS-") {
		t.Fatalf("claim number %q, want BS-…", b.text("#claim-number"))
	}
	b.wantText("#claim-status", "접수됨")
	// The estimate comes from the file: the steps show the comparison weeks'
	// hourly baselines of ₩10,000, and six lost hours put the loss in the
	// first band (₩30,000).
	b.wantContains("#estimate-steps", "₩10,000")
	b.wantText("#estimate-amount", "₩30,000")
	b.wantContains("#timeline", "접수")
	b.wantNoOverflow("claim page")
	b.shot("04-claim.png")
	if p := b.text("#payout"); !strings.Contains(p, "110-***-****89") || !strings.Contains(p, "김*장") || strings.Contains(p, "김사장") {
		t.Errorf("payout account on the claim page: %q, want the masked form", b.text("#payout"))
	}
}
