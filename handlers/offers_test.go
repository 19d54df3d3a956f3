package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

// TestMyOffersOnlyForVerifiedContacts: an offer shows only to the person
// whose verified phone or e-mail it names; an unverified phone sees
// nothing, and another person's offer is 404 on every endpoint.
func TestMyOffersOnlyForVerifiedContacts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		mine, _ := f.offer(t, nil)
		other, _ := f.offer(t, func(o *models.Offer) { o.Phone = "01099998888" })
		byMail, _ := f.offer(t, func(o *models.Offer) { o.Phone, o.Email = "", "bob@example.com" })
		count := func(token string) int {
			r := e.call(t, "GET", "/api/v1/me/offers", nil, bearer(token)...)
			if r.status != http.StatusOK {
				t.Fatalf("GET /me/offers: got %d %s", r.status, r.body)
			}
			return len(r.json(t)["offers"].([]any))
		}
		if n := count(f.alice); n != 0 {
			t.Fatalf("unverified phone: got %d offers, want 0", n)
		}
		if r := e.call(t, "GET", "/api/v1/offers/"+mine, nil, bearer(f.alice)...); r.status != http.StatusNotFound {
			t.Fatalf("offer before verification: got %d, want 404", r.status)
		}
		verify(t, e, f.aliceID, "phone")
		r := e.call(t, "GET", "/api/v1/me/offers", nil, bearer(f.alice)...)
		list := r.json(t)["offers"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != mine {
			t.Fatalf("verified phone: got %s, want only the offer naming it", r.body)
		}
		o := list[0].(map[string]any)
		if o["amount_krw"].(float64) != 7550 || len(o["steps"].([]any)) != 2 || o["status"] != "offered" || o["answerable"] != true || o["provider"] == "" {
			t.Fatalf("offer view: %s", r.body)
		}
		for _, p := range []string{"", "/decline", "/contest"} {
			method := "POST"
			if p == "" {
				method = "GET"
			}
			if r := e.call(t, method, "/api/v1/offers/"+other+p, map[string]any{}, bearer(f.alice)...); r.status != http.StatusNotFound {
				t.Errorf("%s another person's offer%s: got %d %s, want 404", method, p, r.status, r.body)
			}
		}
		if r := f.accept(t, f.alice, other, "k", bankAccept); r.status != http.StatusNotFound {
			t.Errorf("accept another person's offer: got %d, want 404", r.status)
		}
		if n := count(f.bob); n != 0 {
			t.Fatalf("Bob, same phone unverified: got %d offers, want 0", n)
		}
		verify(t, e, f.bobID, "email")
		if got := f.offerStatus(t, f.bob, byMail); got != "offered" || count(f.bob) != 1 {
			t.Fatalf("Bob's verified e-mail: got %s and %d offers", got, count(f.bob))
		}
	})
}

// TestAcceptOfferIntoPayout: accepting by bank transfer makes an approved
// claim at the offer amount that the next payout batch takes; paying it
// shows the offer paid and the ledger counts it.
func TestAcceptOfferIntoPayout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, nil)
		r := f.accept(t, f.alice, id, "a1", bankAccept)
		if r.status != http.StatusOK {
			t.Fatalf("accept: got %d %s", r.status, r.body)
		}
		o := r.json(t)
		claimID, _ := o["claim_id"].(string)
		if o["status"] != "accepted" || claimID == "" || o["chosen_settlement"] != "bank" {
			t.Fatalf("accepted offer: %s", r.body)
		}
		c := claimJSON(t, e, f.alice, claimID)
		est := c["estimate"].(map[string]any)
		if c["status"] != "approved" || est["amount_krw"].(float64) != 7550 || len(est["steps"].([]any)) != 2 ||
			est["reason"].(map[string]any)["code"] != "offer_accepted" || c["payout_account"].(map[string]any)["number"] != "110-***-****89" {
			t.Fatalf("claim of the offer: %v", c)
		}
		if strings.Contains(string(r.body), "456789") {
			t.Fatal("the response holds the account number")
		}
		_, sup := e.newStaff(t, "sup@example.com", "supervisor")
		b := e.call(t, "POST", "/api/v1/payouts/batches", map[string]any{"outage_id": f.outageID}, bearer(sup.AccessToken)...)
		if b.status != http.StatusCreated {
			t.Fatalf("build batch: got %d %s", b.status, b.body)
		}
		if ids := batchClaims(t, b); len(ids) != 1 || ids[0] != claimID {
			t.Fatalf("batch: got %v, want the offer's claim", ids)
		}
		if b.json(t)["total_krw"].(float64) != 7550 {
			t.Fatalf("batch total: %s", b.body)
		}
		batchID := b.json(t)["id"].(string)
		p := e.call(t, "POST", "/api/v1/payouts/batches/"+batchID+"/paid", map[string]any{"items": []map[string]any{
			{"claim_id": claimID, "status": "paid", "reference": "TX-1"}}}, bearer(sup.AccessToken)...)
		if p.status != http.StatusOK {
			t.Fatalf("mark paid: got %d %s", p.status, p.body)
		}
		if got := f.offerStatus(t, f.alice, id); got != "paid" {
			t.Fatalf("offer after payment: %s, want paid", got)
		}
		s := e.call(t, "GET", "/api/v1/stats?outage_id="+f.outageID, nil, bearer(sup.AccessToken)...)
		led := s.json(t)["offers"].(map[string]any)
		if led["by_status"].(map[string]any)["paid"].(float64) != 1 || led["won_by_status"].(map[string]any)["paid"].(float64) != 7550 ||
			led["take_up_rate"].(float64) != 1 || len(led["take_up"].([]any)) != 1 {
			t.Fatalf("ledger: %s", s.body)
		}
	})
}

// TestAcceptOfferOnce: a retry with the same key gets the first response;
// a second acceptance, or two at once, make one claim.
func TestAcceptOfferOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, nil)
		first := f.accept(t, f.alice, id, "same", bankAccept)
		again := f.accept(t, f.alice, id, "same", bankAccept)
		if first.status != http.StatusOK || again.status != http.StatusOK || string(again.body) != string(first.body) ||
			again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: got %d %s, first %d %s", again.status, again.body, first.status, first.body)
		}
		if r := f.accept(t, f.alice, id, "other", bankAccept); r.status != http.StatusConflict {
			t.Fatalf("second acceptance: got %d %s, want 409", r.status, r.body)
		}
		if r := f.accept(t, f.alice, id, "", bankAccept); r.status != http.StatusBadRequest {
			t.Fatalf("no key: got %d, want 400", r.status)
		}

		// Two at once on a fresh offer (another outage's, same category).
		g := newClaimFixtureOutage(t, f)
		race, _ := f.offer(t, func(o *models.Offer) { o.OutageID = g })
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.accept(t, f.alice, race, "race-"+string(rune('a'+i)), bankAccept).status
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("concurrent acceptances: got %v, want one 200 and one 409", statuses)
		}
		r := e.call(t, "GET", "/api/v1/claims?outage_id="+g, nil, bearer(f.alice)...)
		if n := len(r.json(t)["claims"].([]any)); n != 1 {
			t.Fatalf("claims after two acceptances at once: %d, want 1", n)
		}
	})
}

// newClaimFixtureOutage records a second outage of the fixture's service.
func newClaimFixtureOutage(t *testing.T, f *offerFixture) string {
	t.Helper()
	end := f.e.now().Add(-24 * time.Hour).Truncate(time.Second)
	o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": end.Add(-3 * time.Hour).Format(time.RFC3339),
		"ended_at": end.Format(time.RFC3339), "cause": "fire", "summary": "두 번째 장애"})
	if o.status != http.StatusCreated {
		t.Fatalf("create outage: %d %s", o.status, o.body)
	}
	return o.json(t)["id"].(string)
}

// TestAcceptOfferRefusals: the settlement must fit the offer, a bank
// transfer needs an account (the imported one serves), a claim of the same
// outage and category excludes the offer and the other way round, and a
// closed window refuses an answer.
func TestAcceptOfferRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, nil)
		for name, c := range map[string]struct {
			body  map[string]any
			field string
		}{
			"bill credit on a bank-only offer": {map[string]any{"settlement": "bill_credit"}, "settlement"},
			"no settlement":                    {map[string]any{}, "settlement"},
			"bank without an account":          {map[string]any{"settlement": "bank"}, "payout_account.number"},
			"a bad account number":             {map[string]any{"settlement": "bank", "payout_account": map[string]string{"bank": "004", "number": "12", "holder": "앨리스"}}, "payout_account.number"},
		} {
			r := f.accept(t, f.alice, id, "bad-"+name, c.body)
			fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
			if r.status != http.StatusUnprocessableEntity || fields[c.field] == nil {
				t.Errorf("%s: got %d %s, want 422 on %s", name, r.status, r.body, c.field)
			}
		}
		if got := f.offerStatus(t, f.alice, id); got != "offered" {
			t.Fatalf("after refused acceptances: %s, want offered", got)
		}

		imported, _ := f.offer(t, func(o *models.Offer) { o.Category = "paid_subscriber"; f.withAccount(o) })
		r := f.accept(t, f.alice, imported, "imp", map[string]any{"settlement": "bank"})
		if r.status != http.StatusOK {
			t.Fatalf("accept into the imported account: got %d %s", r.status, r.body)
		}
		c := claimJSON(t, e, f.alice, r.json(t)["claim_id"].(string))
		if acct := c["payout_account"].(map[string]any); acct["bank"] != "088" || acct["number"] != pii.MaskAccount("110123456789") {
			t.Fatalf("claim account: %v, want the imported one masked", acct)
		}
		// A later claim of the same outage and category is refused.
		body := f.claimBody("paid_subscriber", 0)
		if r := f.file(t, f.alice, "after-offer", body); r.status != http.StatusConflict {
			t.Fatalf("claim after accepting: got %d %s, want 409", r.status, r.body)
		}
		// An earlier claim of the same outage and category refuses the offer.
		if r := f.file(t, f.alice, "before-offer", f.claimBody("merchant", 0)); r.status != http.StatusCreated && r.status != http.StatusUnprocessableEntity {
			t.Fatalf("merchant claim: %d %s", r.status, r.body)
		}
		partner, _ := f.offer(t, func(o *models.Offer) { o.Category = "partner_business" })
		pb := f.claimBody("partner_business", 0)
		if r := f.file(t, f.alice, "pb", pb); r.status != http.StatusCreated {
			t.Fatalf("partner claim: %d %s", r.status, r.body)
		}
		if r := f.accept(t, f.alice, partner, "pb-offer", bankAccept); r.status != http.StatusConflict || !strings.Contains(string(r.body), "BS-") {
			t.Fatalf("accept with a claim filed: got %d %s, want 409 naming the claim", r.status, r.body)
		}

		late, _ := f.offer(t, func(o *models.Offer) { o.Category = "free_user"; o.ExpiresAt = e.now().Add(-time.Minute) })
		if got := f.offerStatus(t, f.alice, late); got != "expired" {
			t.Fatalf("offer past its window: %s, want expired", got)
		}
		if r := f.accept(t, f.alice, late, "late", bankAccept); r.status != http.StatusConflict || r.errorCode(t) != "offer_expired" {
			t.Fatalf("accept past the window: got %d %s, want 409 offer_expired", r.status, r.body)
		}
		n, err := e.offers.ExpireOverdue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expire: %d, %v; want 1", n, err)
		}
		if n, _ := e.offers.ExpireOverdue(context.Background()); n != 0 {
			t.Fatalf("expire again: %d, want 0", n)
		}
	})
}

// TestDeclineAndContestOffer: a decline is final; "I lost more" files a
// normal claim whose estimate keeps the offer amount as its floor.
func TestDeclineAndContestOffer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		declined, _ := f.offer(t, nil)
		r := e.call(t, "POST", "/api/v1/offers/"+declined+"/decline", nil, bearer(f.alice)...)
		if r.status != http.StatusOK || r.json(t)["status"] != "declined" {
			t.Fatalf("decline: got %d %s", r.status, r.body)
		}
		if r := e.call(t, "POST", "/api/v1/offers/"+declined+"/decline", nil, bearer(f.alice)...); r.status != http.StatusConflict {
			t.Fatalf("decline twice: got %d, want 409", r.status)
		}
		if r := f.accept(t, f.alice, declined, "after-decline", bankAccept); r.status != http.StatusConflict {
			t.Fatalf("accept after declining: got %d, want 409", r.status)
		}

		// A floor far above what the policy gives for a free user.
		contested, _ := f.offer(t, func(o *models.Offer) { o.Category = "paid_subscriber"; o.AmountKRW = 500_000 })
		r = e.call(t, "POST", "/api/v1/offers/"+contested+"/contest", map[string]any{"description": "하루 영업을 못 했습니다",
			"claimed_amount_krw": 800000, "payout_account": map[string]string{"bank": "004", "number": testAccount, "holder": "앨리스"}}, bearer(f.alice)...)
		if r.status != http.StatusCreated {
			t.Fatalf("contest: got %d %s\n%s", r.status, r.body, e.logs)
		}
		c := r.json(t)
		est := c["estimate"].(map[string]any)
		if c["status"] != "submitted" || c["category"] != "paid_subscriber" || est["amount_krw"].(float64) < 500_000 ||
			!strings.Contains(stepsText(est), "제안 금액 하한 보장 | ₩500,000") || c["details"].(map[string]any)["monthly_fee_krw"].(float64) != 39000 {
			t.Fatalf("contest claim: %s", r.body)
		}
		o := e.call(t, "GET", "/api/v1/offers/"+contested, nil, bearer(f.alice)...).json(t)
		if o["status"] != "contested" || o["claim_id"] != c["id"] {
			t.Fatalf("contested offer: %v", o)
		}
		_, sup := e.newStaff(t, "sup@example.com", "supervisor")
		s := e.call(t, "GET", "/api/v1/stats?outage_id="+f.outageID, nil, bearer(sup.AccessToken)...).json(t)["offers"].(map[string]any)
		by := s["by_status"].(map[string]any)
		if s["made"].(float64) != 2 || by["declined"].(float64) != 1 || by["contested"].(float64) != 1 || s["take_up_rate"].(float64) != 0.5 {
			t.Fatalf("ledger: %v", s)
		}
	})
}

// TestAcceptOfferAsBillCredit: where the provider offers it, a bill
// credit is accepted without an account; the claim is approved but owes no
// transfer, so no payout batch takes it.
func TestAcceptOfferAsBillCredit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, func(o *models.Offer) { o.Settlement = "bill_credit" })
		if got := e.call(t, "GET", "/api/v1/offers/"+id, nil, bearer(f.alice)...).json(t)["settlements"].([]any); len(got) != 2 {
			t.Fatalf("settlements: %v, want bank and bill_credit", got)
		}
		r := f.accept(t, f.alice, id, "bill", map[string]any{"settlement": "bill_credit"})
		if r.status != http.StatusOK || r.json(t)["chosen_settlement"] != "bill_credit" {
			t.Fatalf("accept as bill credit: got %d %s", r.status, r.body)
		}
		c := claimJSON(t, e, f.alice, r.json(t)["claim_id"].(string))
		if c["status"] != "approved" || c["monetary"] != false || c["estimate"].(map[string]any)["amount_krw"].(float64) != 7550 {
			t.Fatalf("claim of a bill credit: %v", c)
		}
		_, sup := e.newStaff(t, "sup@example.com", "supervisor")
		if b := e.call(t, "POST", "/api/v1/payouts/batches", map[string]any{"outage_id": f.outageID}, bearer(sup.AccessToken)...); b.status != http.StatusUnprocessableEntity {
			t.Fatalf("payout batch: got %d %s, want 422 (nothing to transfer)", b.status, b.body)
		}
		// The provider applies it in its billing: the credit file lists it.
		credits := e.call(t, "GET", "/api/v1/outages/"+f.outageID+"/credits.csv?reason=billing", nil, bearer(sup.AccessToken)...)
		if credits.status != http.StatusOK || !strings.Contains(string(credits.body), ",bill_credit,7550,") || !strings.Contains(string(credits.body), id+",accepted") {
			t.Fatalf("credit file: got %d\n%s\nwant the offer accepted as a bill credit", credits.status, credits.body)
		}
	})
}
