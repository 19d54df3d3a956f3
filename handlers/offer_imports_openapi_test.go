package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// TestOpenAPIOfferImportResponses drives the import endpoints and their
// main error statuses on both dialects and validates each exchange.
func TestOpenAPIOfferImportResponses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		k := newContract(t, e)
		f := newImportFixture(t, e)
		sup := bearer(f.sup)
		base := "/api/v1/outages/" + f.kakaoT
		r := k.exchangeRaw(t, e, http.StatusAccepted, reqValid, "POST", base+"/affected?acceptance_days=30", "text/csv", []byte(mixedAccounts), sup...)
		id := r.json(t)["import_id"].(string)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "affected.csv")
		_, _ = fw.Write([]byte(mixedAccounts))
		_ = mw.Close()
		k.exchangeRaw(t, e, http.StatusAccepted, reqValid, "POST", base+"/affected", mw.FormDataContentType(), buf.Bytes(), sup...)
		k.exchangeRaw(t, e, http.StatusUnsupportedMediaType, reqInvalid, "POST", base+"/affected", "application/json", []byte("{}"), sup...)
		k.exchangeRaw(t, e, http.StatusNotFound, reqValid, "POST", "/api/v1/outages/"+uuid.NewString()+"/affected", "text/csv", []byte(mixedAccounts), sup...)
		k.exchangeRaw(t, e, http.StatusForbidden, reqValid, "POST", base+"/affected", "text/csv", []byte(mixedAccounts), bearer(f.alice)...)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/imports/"+id, nil, sup...)
		k.exchange(t, e, http.StatusNotFound, reqValid, "GET", "/api/v1/imports/"+uuid.NewString(), nil, sup...)
		k.exchange(t, e, http.StatusOK, reqValid, "POST", "/api/v1/imports/"+id+"/cancel", nil, sup...)
		k.exchange(t, e, http.StatusConflict, reqValid, "POST", "/api/v1/imports/"+id+"/cancel", nil, sup...)
		k.exchange(t, e, http.StatusOK, reqValid, "POST", "/api/v1/imports/"+id+"/resume", nil, sup...)
		k.exchange(t, e, http.StatusConflict, reqValid, "POST", "/api/v1/imports/"+id+"/resume", nil, sup...)
		runImports(t, e, e.offers)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", "/api/v1/imports/"+id, nil, sup...)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", base+"/offers?status=offered&limit=1", nil, sup...)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", base+"/offers?q=PRO-1", nil, sup...)
		k.exchange(t, e, http.StatusUnprocessableEntity, reqInvalid, "GET", base+"/offers?status=nope", nil, sup...)
		k.exchange(t, e, http.StatusOK, reqValid, "GET", base+"/credits.csv?reason=billing", nil, sup...)
		k.exchange(t, e, http.StatusUnprocessableEntity, reqInvalid, "GET", base+"/credits.csv", nil, sup...)
		k.exchange(t, e, http.StatusForbidden, reqValid, "GET", base+"/credits.csv?reason=x", nil, bearer(f.alice)...)
	})
}
