package offers

import (
	"testing"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/records"
)

// TestPricingRows: each row is priced by the default policy for the Kakao
// T outage of 2022, and becomes an offer waiting for an answer, a grant,
// or a line error on the column at fault.
func TestPricingRows(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	end := time.Date(2022, 10, 16, 14, 0, 0, 0, kst)
	o := &outage.View{StartedAt: time.Date(2022, 10, 15, 15, 30, 0, 0, kst), EndedAt: &end}
	now := time.Date(2022, 11, 1, 0, 0, 0, 0, time.UTC)
	pr := newPricer(policy.Default(), o, now)
	sealer, err := pii.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{sealer: sealer, newID: func() string { return "00000000-0000-0000-0000-000000000001" }}
	for _, tc := range []struct {
		name       string
		a          records.Account
		status     Status
		amount     int64
		rejectedOn string
	}{
		{"a Pro driver paid by transfer waits for an answer", records.Account{Category: "driver", MonthlyFeeKRW: 39_000, Settlement: "bank"}, Offered, 7_550, ""},
		{"a subscriber's bill credit is granted", records.Account{Category: "paid_subscriber", MonthlyFeeKRW: 9_900, Settlement: "bill_credit"}, Granted, 1_920, ""},
		{"a free user's in-kind items are granted", records.Account{Category: "free_user", Settlement: "bank"}, Granted, 0, ""},
		{"a subscriber without a fee is asked for it", records.Account{Category: "paid_subscriber", Settlement: "bank"}, "", 0, "monthly_fee_krw"},
		{"a merchant's loss needs a claim", records.Account{Category: "merchant", Settlement: "bank"}, "", 0, "category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.Line = 2
			p, bad := pr.price(tc.a)
			if tc.rejectedOn != "" {
				if bad == nil || bad.Field != tc.rejectedOn || bad.MessageKO == "" || bad.MessageEN == "" {
					t.Fatalf("got %+v, %+v; want a line error on %s", p, bad, tc.rejectedOn)
				}
				return
			}
			if bad != nil {
				t.Fatalf("rejected: %v", bad)
			}
			off, token := s.offerFor(&models.OfferImport{ID: "i", OutageID: "o"}, tc.a, p, now, now.AddDate(0, 0, 30))
			if Status(off.Status) != tc.status || off.AmountKRW != tc.amount || off.TokenHash != TokenHash(token) || len(token) < 40 {
				t.Fatalf("got %s ₩%d (token %q), want %s ₩%d", off.Status, off.AmountKRW, token, tc.status, tc.amount)
			}
		})
	}
}
