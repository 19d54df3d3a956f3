package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/pii"
)

// offerSteps is a pricing explanation as an import stores it.
const offerSteps = `[{"label":"월 이용료","label_en":"Monthly fee","value":"₩39,000"},{"label":"보상액","label_en":"Compensation","value":"₩7,550"}]`

// offerFixture is the claim fixture's outage with an import (offers need
// one; the import itself is another part's work) and the two claimants'
// ids. Alice and Bob both registered with the phone 010-1234-5678; neither
// has verified it.
type offerFixture struct {
	*claimFixture
	importID       string
	aliceID, bobID string
}

func newOfferFixture(t *testing.T, e *testEnv) *offerFixture {
	t.Helper()
	f := &offerFixture{claimFixture: newClaimFixture(t, e)}
	f.aliceID, f.bobID = meID(t, e, f.alice), meID(t, e, f.bob)
	f.importID = uuid.Must(uuid.NewV7()).String()
	execSQL(t, e, fmt.Sprintf(`INSERT INTO offer_imports (id, outage_id, created_by, filename, blob_key, size_bytes, status,
acceptance_days, created_at, updated_at) VALUES ('%s', '%s', '%s', 'affected.csv', 'k', 10, 'done', 30, '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00')`,
		f.importID, f.outageID, f.aliceID))
	return f
}

func meID(t *testing.T, e *testEnv, token string) string {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/me", nil, bearer(token)...)
	if r.status != http.StatusOK {
		t.Fatalf("GET /me: got %d %s", r.status, r.body)
	}
	m := r.json(t)
	if u, ok := m["user"].(map[string]any); ok {
		m = u
	}
	return m["id"].(string)
}

func execSQL(t *testing.T, e *testEnv, q string) {
	t.Helper()
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// verify marks a user's phone or e-mail ("phone", "email") verified, as
// the verification another part builds does.
func verify(t *testing.T, e *testEnv, userID, channel string) {
	t.Helper()
	execSQL(t, e, fmt.Sprintf(`UPDATE users SET %s_verified_at = '2024-01-01 00:00:00+00:00' WHERE id = '%s'`, channel, userID))
}

// offer stores a cash offer of ₩7,550 to a Pro driver reachable at
// 010-1234-5678, changed by edit, and returns its id and link token.
func (f *offerFixture) offer(t *testing.T, edit func(o *models.Offer)) (string, string) {
	t.Helper()
	now := f.e.now().UTC()
	token := uuid.NewString()
	sum := sha256.Sum256([]byte(token))
	o := models.Offer{ID: uuid.Must(uuid.NewV7()).String(), OutageID: f.outageID, ImportID: f.importID, Category: "driver",
		Name: "앨리스", Phone: "01012345678", MonthlyFeeKRW: 39000, Settlement: "bank", AmountKRW: 7550, PolicyVersion: 1,
		Steps: offerSteps, Status: "offered", TokenHash: hex.EncodeToString(sum[:]), ExpiresAt: now.Add(30 * 24 * time.Hour),
		Version: 1, CreatedAt: now, UpdatedAt: now}
	o.AccountRef = "T-" + o.ID
	if edit != nil {
		edit(&o)
	}
	n, err := f.e.db.Offers().InsertOffers(context.Background(), []models.Offer{o})
	if err != nil || n != 1 {
		t.Fatalf("insert offer: %d, %v", n, err)
	}
	return o.ID, token
}

// withAccount gives an offer the payout account the provider's file named.
func (f *offerFixture) withAccount(o *models.Offer) {
	o.Bank, o.Holder = "088", "앨리스"
	o.AccountSealed, o.AccountKeyID = f.e.sealer.Seal("110123456789", offers.AccountContext(o.ID))
	o.AccountMasked = pii.MaskAccount("110123456789")
}

func (f *offerFixture) accept(t *testing.T, token, id, key string, body any) response {
	t.Helper()
	h := bearer(token)
	if key != "" {
		h = append(h, "Idempotency-Key", key)
	}
	return f.e.call(t, "POST", "/api/v1/offers/"+id+"/accept", body, h...)
}

// bankAccept is an acceptance by bank transfer into Alice's account.
var bankAccept = map[string]any{"settlement": "bank", "payout_account": map[string]string{"bank": "004", "number": testAccount, "holder": "앨리스"}}

func (f *offerFixture) offerStatus(t *testing.T, token, id string) string {
	t.Helper()
	r := f.e.call(t, "GET", "/api/v1/offers/"+id, nil, bearer(token)...)
	if r.status != http.StatusOK {
		t.Fatalf("GET offer: got %d %s", r.status, r.body)
	}
	return r.json(t)["status"].(string)
}
