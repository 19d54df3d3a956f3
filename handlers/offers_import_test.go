package handlers_test

import (
	"net/http"
	"testing"
)

// TestImportedOfferAcceptedIntoPayout: the Kakao T import's Pro driver,
// once the phone the file names is verified, sees ₩7,550 with its steps,
// accepts into the account the file gave, and the next payout batch takes
// the claim; the free user's grant asks nothing of anyone.
func TestImportedOfferAcceptedIntoPayout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		csv := "account_ref,category,name,phone,email,monthly_fee_krw,settlement,bank,account_number,holder\n" +
			"PRO-1,driver,홍길동,010-1234-5678,,\"39,000\",bank,004,123456-01-234567,홍길동\n" +
			"FREE-1,free_user,이무료,,alice@example.com,,,,,\n"
		if r := f.postAccounts(t, e, "affected.csv", "", []byte(csv)); r.status != http.StatusAccepted {
			t.Fatalf("import: got %d %s", r.status, r.body)
		}
		runImports(t, e, e.offers)
		aliceID := meID(t, e, f.alice)
		verify(t, e, aliceID, "phone")
		r := e.call(t, "GET", "/api/v1/me/offers", nil, bearer(f.alice)...)
		list := r.json(t)["offers"].([]any)
		if len(list) != 1 {
			t.Fatalf("my offers with the phone verified (not the e-mail): %s", r.body)
		}
		o := list[0].(map[string]any)
		if o["amount_krw"].(float64) != 7550 || len(o["steps"].([]any)) < 3 || o["status"] != "offered" || o["payout_account"] == nil {
			t.Fatalf("the Pro driver's offer: %s", r.body)
		}
		a := e.call(t, "POST", "/api/v1/offers/"+o["id"].(string)+"/accept", map[string]any{"settlement": "bank"},
			append(bearer(f.alice), "Idempotency-Key", "pro")...)
		if a.status != http.StatusOK {
			t.Fatalf("accept into the imported account: got %d %s", a.status, a.body)
		}
		b := e.call(t, "POST", "/api/v1/payouts/batches", map[string]any{"outage_id": f.kakaoT}, bearer(f.sup)...)
		if b.status != http.StatusCreated || b.json(t)["total_krw"].(float64) != 7550 {
			t.Fatalf("payout batch: got %d %s", b.status, b.body)
		}
		if ids := batchClaims(t, b); len(ids) != 1 || ids[0] != a.json(t)["claim_id"] {
			t.Fatalf("batch claims: %v", ids)
		}
	})
}
