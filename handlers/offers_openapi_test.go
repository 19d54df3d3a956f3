package handlers_test

import (
	"net/http"
	"testing"

	"github.com/bosang/bosang/models"
)

// TestOpenAPIOfferResponses validates the offer endpoints' requests and
// responses, their main errors included, against the served document.
func TestOpenAPIOfferResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		f := newOfferFixture(t, e)
		verify(t, e, f.aliceID, "phone")
		accepted, _ := f.offer(t, func(o *models.Offer) { f.withAccount(o) })
		declined, _ := f.offer(t, func(o *models.Offer) { o.Category = "paid_subscriber"; o.Settlement = "bill_credit" })
		contested, _ := f.offer(t, func(o *models.Offer) { o.Category = "partner_business" })
		h := bearer(f.alice)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/me/offers", nil, h...)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/offers/"+declined, nil, h...)
		k.exchange(t, e, http.StatusNotFound, reqValid, "GET", "/api/v1/offers/"+declined, nil, bearer(f.bob)...)
		k.exchange(t, e, http.StatusUnauthorized, reqValid, "GET", "/api/v1/me/offers", nil)
		k.exchange(t, e, http.StatusBadRequest, reqInvalid, "POST", "/api/v1/offers/"+accepted+"/accept", map[string]any{"settlement": "bank"}, h...)
		k.exchange(t, e, http.StatusUnprocessableEntity, reqValid, "POST", "/api/v1/offers/"+accepted+"/accept", map[string]any{"settlement": "bill_credit"},
			append(h, "Idempotency-Key", "bad")...)
		k.exchange(t, e, http.StatusOK, reqValid, "POST", "/api/v1/offers/"+accepted+"/accept", map[string]any{"settlement": "bank"}, append(h, "Idempotency-Key", "ok")...)
		k.exchange(t, e, http.StatusOK, reqValid, "POST", "/api/v1/offers/"+accepted+"/accept", map[string]any{"settlement": "bank"}, append(h, "Idempotency-Key", "ok")...)
		k.exchange(t, e, http.StatusConflict, reqValid, "POST", "/api/v1/offers/"+accepted+"/accept", map[string]any{"settlement": "bank"}, append(h, "Idempotency-Key", "again")...)
		k.exchange(t, e, http.StatusOK, reqValid, "POST", "/api/v1/offers/"+declined+"/decline", nil, h...)
		k.exchange(t, e, http.StatusConflict, reqValid, "POST", "/api/v1/offers/"+declined+"/decline", nil, h...)
		k.exchange(t, e, http.StatusUnprocessableEntity, reqValid, "POST", "/api/v1/offers/"+contested+"/contest", map[string]any{"description": ""}, h...)
		k.exchange(t, e, http.StatusCreated, reqValid, "POST", "/api/v1/offers/"+contested+"/contest", map[string]any{"description": "더 큰 손해",
			"payout_account": map[string]string{"bank": "004", "number": testAccount, "holder": "앨리스"}}, h...)
		k.exchange(t, e, http.StatusNotFound, reqValid, "POST", "/api/v1/offers/"+contested+"/contest", map[string]any{"description": "x"}, bearer(f.bob)...)
		_, sup := e.newStaff(t, "sup@example.com", "supervisor")
		k.exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/stats?outage_id="+f.outageID, nil, bearer(sup.AccessToken)...)
	})
}
