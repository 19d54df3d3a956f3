package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bosang/bosang/models"
)

// TestOfferLinkPage: the link shows nothing personal without a login, a
// verification prompt to someone else, and leads its person to the offer;
// the request log never holds the token.
func TestOfferLinkPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		_, token := f.offer(t, func(o *models.Offer) { o.Name = "김앨리스" })
		anon := e.browser(t)
		p := getPage(t, e, anon, "/offers/"+token, "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="offer-login"`) || strings.Contains(p.body, "7,550") || strings.Contains(p.body, "김앨리스") {
			t.Fatalf("anonymous link: got %d, want a login prompt without the offer", p.status)
		}
		if p := getPage(t, e, anon, "/offers/not-a-token", ""); p.status != http.StatusNotFound {
			t.Fatalf("unknown token: got %d, want 404", p.status)
		}
		alice := loginBrowser(t, e, "alice@example.com")
		if p := getPage(t, e, alice, "/offers/"+token, ""); p.status != http.StatusOK || !strings.Contains(p.body, `href="/account/verify"`) {
			t.Fatalf("unverified: got %d, want the prompt to verify", p.status)
		}
		verify(t, e, f.aliceID, "phone")
		p = getPage(t, e, alice, "/offers/"+token, "")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/account/offers/") {
			t.Fatalf("verified: got %d to %q, want the offer page", p.status, p.location)
		}
		if strings.Contains(e.logs.String(), token) {
			t.Fatal("the request log holds the link token")
		}
	})
}

// TestOfferPagesAccept: the list and the offer page show the amount and
// every step; the accept form (CSRF, no JavaScript) makes the claim and the
// page links to it afterwards.
func TestOfferPagesAccept(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, nil)
		alice := loginBrowser(t, e, "alice@example.com")
		if p := getPage(t, e, alice, "/account", ""); !strings.Contains(p.body, `href="/account/offers"`) {
			t.Fatal("the account page has no link to my offers")
		}
		list := getPage(t, e, alice, "/account/offers", "")
		if list.status != http.StatusOK || !strings.Contains(list.body, "/account/offers/"+id) || !strings.Contains(list.body, "₩7,550") {
			t.Fatalf("my offers: got %d", list.status)
		}
		page := getPage(t, e, alice, "/account/offers/"+id, "en")
		for _, want := range []string{"₩7,550", "Monthly fee", "Compensation", `id="offer-accept"`, `id="offer-decline"`, `id="offer-contest"`} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("offer page lacks %q", want)
			}
		}
		tok := formToken(t, alice, e.srv.URL+"/account/offers/"+id)
		form := url.Values{"csrf_token": {tok}, "form_key": {"k1"}, "settlement": {"bank"}, "payout_account.bank": {"004"},
			"payout_account.number": {"12"}, "payout_account.holder": {"앨리스"}}
		if p := postPage(t, e, alice, "/account/offers/"+id+"/accept", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "aria-invalid") {
			t.Fatalf("bad account: got %d, want 422 with the field marked", p.status)
		}
		form.Set("payout_account.number", testAccount)
		p := postPage(t, e, alice, "/account/offers/"+id+"/accept", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("accept: got %d %s", p.status, p.body)
		}
		if again := postPage(t, e, alice, "/account/offers/"+id+"/accept", form); again.status != http.StatusSeeOther {
			t.Fatalf("the same form again: got %d, want the same redirect", again.status)
		}
		done := getPage(t, e, alice, p.location, "")
		if !strings.Contains(done.body, `id="offer-claim"`) || strings.Contains(done.body, `id="offer-accept"`) {
			t.Fatal("after accepting the page must link the claim and offer no more answers")
		}
		if p := postPage(t, e, alice, "/account/offers/"+id+"/decline", url.Values{"csrf_token": {tok}}); p.status != http.StatusConflict {
			t.Fatalf("decline after accepting: got %d, want 409", p.status)
		}
		if p := postPage(t, e, alice, "/account/offers/"+id+"/decline", url.Values{}); p.status != http.StatusForbidden {
			t.Fatalf("a form without its CSRF token: got %d, want 403", p.status)
		}
	})
}

// TestOfferPagesContest: "I lost more" opens the claim form on the offer
// page and files the claim.
func TestOfferPagesContest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, func(o *models.Offer) { f.withAccount(o) })
		alice := loginBrowser(t, e, "alice@example.com")
		page := getPage(t, e, alice, "/account/offers/"+id+"?contest=1", "")
		if !strings.Contains(page.body, `id="offer-contest-form"`) || !strings.Contains(page.body, `id="offer-imported-account"`) {
			t.Fatal("the contest form is missing")
		}
		tok := formToken(t, alice, e.srv.URL+"/account/offers/"+id)
		p := postPage(t, e, alice, "/account/offers/"+id+"/contest", url.Values{"csrf_token": {tok}, "description": {"하루 영업 손실"}, "claimed_amount_krw": {"50,000"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/claims/") {
			t.Fatalf("contest: got %d to %q %s", p.status, p.location, p.body)
		}
		if c := getPage(t, e, alice, p.location, ""); !strings.Contains(c.body, "제안 금액 하한 보장") {
			t.Fatal("the claim page does not show the floor step")
		}
	})
}

// TestOfferLedgerPages: staff see the outage's offer ledger on the outage
// page and the dashboard; the public does not.
func TestOfferLedgerPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		id, _ := f.offer(t, nil)
		f.offer(t, func(o *models.Offer) { o.Category = "free_user"; o.Status = "granted"; o.AmountKRW = 0 })
		if r := e.call(t, "POST", "/api/v1/offers/"+id+"/decline", nil, bearer(f.alice)...); r.status != http.StatusOK {
			t.Fatalf("decline: %d", r.status)
		}
		e.newStaff(t, "sup@example.com", "supervisor")
		sup := loginBrowser(t, e, "sup@example.com")
		for _, path := range []string{"/outages/" + f.outageID, "/dashboard?outage_id=" + f.outageID} {
			p := getPage(t, e, sup, path, "")
			if p.status != http.StatusOK || !strings.Contains(p.body, `id="ledger-made">2<`) || !strings.Contains(p.body, `data-key="declined">1<`) ||
				!strings.Contains(p.body, `data-key="granted">1<`) || !strings.Contains(p.body, `id="ledger-rate">0.0%<`) {
				t.Fatalf("%s: got %d without the ledger", path, p.status)
			}
		}
		if p := getPage(t, e, e.browser(t), "/outages/"+f.outageID, ""); strings.Contains(p.body, "offer-ledger") {
			t.Fatal("the public outage page shows the ledger")
		}
	})
}
