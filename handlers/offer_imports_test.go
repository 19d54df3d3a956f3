package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/records"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// importFixture is the Kakao T outage of 2022 and a supervisor.
type importFixture struct {
	*kakaoTFixture
	sup string
}

func newImportFixture(t *testing.T, e *testEnv) *importFixture {
	t.Helper()
	f := newKakaoTFixture(t, e)
	_, sup := e.newStaff(t, "sup@example.com", "supervisor")
	return &importFixture{kakaoTFixture: f, sup: sup.AccessToken}
}

// postAccounts posts an account file to the outage: as multipart (name
// set) or as the raw body with contentType.
func (f *importFixture) postAccounts(t *testing.T, e *testEnv, name, contentType string, body []byte) response {
	t.Helper()
	if name == "" {
		return e.call(t, "POST", "/api/v1/outages/"+f.kakaoT+"/affected", string(body), append(bearer(f.sup), "Content-Type", contentType)...)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("acceptance_days", "30")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(body)
	_ = mw.Close()
	return e.call(t, "POST", "/api/v1/outages/"+f.kakaoT+"/affected", buf.String(), append(bearer(f.sup), "Content-Type", mw.FormDataContentType())...)
}

// runImports runs the queued import jobs through svc as the job runner
// would, until none is left.
func runImports(t *testing.T, e *testEnv, svc *offers.Service) {
	t.Helper()
	ctx := context.Background()
	for range 10 {
		jobs := outboxOf(t, e.db, offers.TopicImport, true)
		if len(jobs) == 0 {
			return
		}
		for _, m := range jobs {
			if err := svc.RunImport(ctx, m); err != nil {
				t.Fatalf("run import: %v", err)
			}
			if err := e.db.MarkOutboxDelivered(ctx, m.ID, e.now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("import jobs keep coming")
}

func (f *importFixture) importView(t *testing.T, e *testEnv, id string) map[string]any {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/imports/"+id, nil, bearer(f.sup)...)
	if r.status != http.StatusOK {
		t.Fatalf("get import: %d %s", r.status, r.body)
	}
	return r.json(t)
}

const mixedAccounts = "account_ref,category,name,phone,email,monthly_fee_krw,settlement,bank,account_number,holder\n" +
	"PRO-1,driver,김프로,010-1111-0001,,\"39,000\",bank,004,123456-01-234567,김프로\n" +
	"FREE-1,free_user,이무료,,free@example.com,,,,,\n" +
	"SUB-1,paid_subscriber,박구독,010-1111-0003,sub@example.com,9900,bill_credit,,,\n" +
	"BAD-1,vip,최등급,010-1111-0004,,,,,,\n" +
	"BAD-2,driver,정번호,010-11,,39000,,,,\n"

func TestImportGoodAndBadRows(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		r := f.postAccounts(t, e, "affected.csv", "", []byte(mixedAccounts))
		if r.status != http.StatusAccepted {
			t.Fatalf("import: got %d %s, want 202", r.status, r.body)
		}
		id := r.json(t)["import_id"].(string)
		if v := f.importView(t, e, id); v["status"] != "queued" || v["progress"].(float64) != 0 {
			t.Fatalf("before the job: %v", v)
		}
		runImports(t, e, e.offers)
		v := f.importView(t, e, id)
		if v["status"] != "done" || v["rows"].(float64) != 5 || v["accepted"].(float64) != 3 || v["rejected"].(float64) != 2 ||
			v["offers_created"].(float64) != 3 || v["progress"].(float64) != 1 {
			t.Fatalf("after the job: %v", v)
		}
		errs := v["errors"].([]any)
		want := [][2]float64{{5, 2}, {6, 4}}
		for i, w := range want {
			got := errs[i].(map[string]any)
			if got["line"].(float64) != w[0] || got["column"].(float64) != w[1] || got["message"] == "" || got["message_en"] == "" {
				t.Fatalf("error %d: got %v, want line %v column %v", i, got, w[0], w[1])
			}
		}
		list := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/offers", nil, bearer(f.sup)...)
		if list.status != http.StatusOK {
			t.Fatalf("offers: %d %s", list.status, list.body)
		}
		byRef := map[string]map[string]any{}
		for _, it := range list.json(t)["items"].([]any) {
			o := it.(map[string]any)
			byRef[o["account_ref"].(string)] = o
		}
		pro, free, sub := byRef["PRO-1"], byRef["FREE-1"], byRef["SUB-1"]
		if pro["status"] != "offered" || pro["amount_krw"].(float64) != 7_550 || pro["account_masked"] == "" ||
			strings.Contains(string(list.body), "234567") {
			t.Fatalf("Pro driver: got %v, want ₩7,550 offered with the account masked", pro)
		}
		if free["status"] != "granted" || free["in_kind"] == "" || sub["status"] != "granted" || sub["amount_krw"] != float64(1_920) {
			// ₩9,900 × 2 calendar days × 3 ÷ 31 days in October = ₩1,916.13, rounded up to ₩10.
			t.Fatalf("grants: free %v, subscriber %v; want the subscriber's ₩1,920 granted", free, sub)
		}
		trail := e.call(t, "GET", "/api/v1/audit?entity=outage&id="+f.kakaoT, nil, bearer(f.admin)...)
		for _, action := range []string{"outage.offer_import", "outage.offer_import_done", "outage.view_offer_import", "outage.view_offers"} {
			if !strings.Contains(string(trail.body), `"`+action+`"`) {
				t.Errorf("the audit trail of the outage lacks %s: %d %.300s", action, trail.status, trail.body)
			}
		}
		if sms, mail := outboxOf(t, e.db, offers.TopicSMS, false), outboxOf(t, e.db, offers.TopicEmail, false); len(sms) != 2 || len(mail) != 2 {
			t.Fatalf("got %d SMS and %d e-mails, want 2 and 2", len(sms), len(mail))
		}
		credits := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/credits.csv?reason=billing+run", nil, bearer(f.sup)...)
		if credits.status != http.StatusOK || !strings.Contains(string(credits.body), "FREE-1,free_user") ||
			!strings.Contains(string(credits.body), "SUB-1,paid_subscriber,bill_credit") || strings.Contains(string(credits.body), "PRO-1") {
			t.Fatalf("credit file: %d\n%s", credits.status, credits.body)
		}
		if trail := e.call(t, "GET", "/api/v1/audit?entity=outage&id="+f.kakaoT, nil, bearer(f.admin)...); !strings.Contains(string(trail.body), "billing run") {
			t.Errorf("the credit file's reason is not in the audit trail")
		}
		if r := e.call(t, "GET", "/api/v1/outages/"+f.kakaoT+"/credits.csv", nil, bearer(f.sup)...); r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
			t.Fatalf("credit file without a reason: got %d, want a field error", r.status)
		}
	})
}

func TestImportTwiceCreatesNoDuplicates(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		for i := range 2 {
			r := f.postAccounts(t, e, "", "text/csv", []byte(mixedAccounts))
			if r.status != http.StatusAccepted {
				t.Fatalf("import %d: got %d %s", i, r.status, r.body)
			}
			runImports(t, e, e.offers)
			v := f.importView(t, e, r.json(t)["import_id"].(string))
			if want := []float64{3, 0}[i]; v["status"] != "done" || v["accepted"].(float64) != 3 || v["offers_created"].(float64) != want {
				t.Fatalf("import %d: got %v, want 3 accepted, %v created", i, v, want)
			}
		}
		if sms := outboxOf(t, e.db, offers.TopicSMS, false); len(sms) != 2 {
			t.Fatalf("got %d SMS after importing twice, want 2", len(sms))
		}
	})
}

func TestImportCP949AndXLSX(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		ko := "회원번호,구분,이름,휴대폰,멤버십 요금,정산 방식\nK-1,기사,김기사,010-2222-0001,\"39,000\",계좌이체\nK-2,유료회원,이구독,010-2222-0002,9900,요금감면\n"
		cp, err := korean.EUCKR.NewEncoder().String(ko)
		if err != nil {
			t.Fatal(err)
		}
		x := excelize.NewFile()
		for i, row := range [][]any{{"account_ref", "category", "phone", "monthly_fee_krw"}, {"X-1", "paid_subscriber", "010-3333-0001", 9900}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			_ = x.SetSheetRow("Sheet1", cell, &row)
		}
		var xb bytes.Buffer
		if err := x.Write(&xb); err != nil {
			t.Fatal(err)
		}
		for _, up := range []struct {
			name string
			r    response
			want float64
		}{
			{"CP949 CSV", f.postAccounts(t, e, "", "text/csv; charset=euc-kr", []byte(cp)), 2},
			{"XLSX", f.postAccounts(t, e, "affected.xlsx", "", xb.Bytes()), 1},
		} {
			if up.r.status != http.StatusAccepted {
				t.Fatalf("%s: got %d %s", up.name, up.r.status, up.r.body)
			}
			runImports(t, e, e.offers)
			v := f.importView(t, e, up.r.json(t)["import_id"].(string))
			if v["status"] != "done" || v["offers_created"].(float64) != up.want || v["rejected"].(float64) != 0 {
				t.Fatalf("%s: got %v, want %v offers", up.name, v, up.want)
			}
		}
	})
}

func TestImportRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		if r := f.postAccounts(t, e, "", "application/json", []byte(`{}`)); r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("JSON body: got %d, want 415", r.status)
		}
		if r := f.postAccounts(t, e, "", "text/csv", nil); r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
			t.Fatalf("empty file: got %d %s, want a field error", r.status, r.body)
		}
		r := e.call(t, "POST", "/api/v1/outages/"+f.kakaoT+"/affected?acceptance_days=0", mixedAccounts, append(bearer(f.sup), "Content-Type", "text/csv")...)
		if r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
			t.Fatalf("acceptance_days=0: got %d %s", r.status, r.body)
		}
		req := httptest.NewRequest("POST", "/api/v1/outages/"+f.kakaoT+"/affected", strings.NewReader("x"))
		req.ContentLength = records.MaxAccountFileBytes + 1
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+f.sup)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized: got %d, want 413", rec.Code)
		}
		if r := f.postAccounts(t, e, "", "text/csv", []byte(mixedAccounts)); r.status != http.StatusAccepted {
			t.Fatalf("import: %d", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/outages/"+uuid.NewString()+"/affected", mixedAccounts, append(bearer(f.sup), "Content-Type", "text/csv")...); r.status != http.StatusNotFound {
			t.Fatalf("unknown outage: got %d, want 404", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/outages/"+f.kakaoT+"/affected", mixedAccounts, append(bearer(f.alice), "Content-Type", "text/csv")...); r.status != http.StatusForbidden {
			t.Fatalf("claimant: got %d, want 403", r.status)
		}
	})
}

// hookBlobs calls onRead on every read of an opened file, before it
// with the bytes read so far, and once more when the file's end is reached
// (with atEnd true, before the reader sees it).
type hookBlobs struct {
	offers.Blobs
	onRead func(n int64, atEnd bool)
}

func (h *hookBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	f, err := h.Blobs.Open(ctx, key)
	return &hookFile{ReadSeekCloser: f, onRead: h.onRead}, err
}

type hookFile struct {
	io.ReadSeekCloser
	onRead func(int64, bool)
	n      int64
	ended  bool
}

func (f *hookFile) Read(p []byte) (int, error) {
	f.onRead(f.n, false)
	n, err := f.ReadSeekCloser.Read(p)
	f.n += int64(n)
	if err == io.EOF && !f.ended {
		f.ended = true
		f.onRead(f.n, true)
	}
	return n, err
}

// A supervisor cancels an import while its job reads, two chunks in.
func TestImportCancelThenResumeTakesEveryRowOnce(t *testing.T) {
	cancelThenResume(t, func(n int64, _ bool) bool { return n >= 128<<10 }, func(t *testing.T, created int) {
		if created == 0 {
			t.Errorf("no offers before the cancel, want the chunks committed before it")
		}
	})
}

// A supervisor cancels an import when its job has read the whole file but
// not committed its last chunk: the import stays cancelled, and its file
// stays for the resume.
func TestImportCancelledAtTheFileEndKeepsTheFile(t *testing.T) {
	cancelThenResume(t, func(_ int64, atEnd bool) bool { return atEnd }, func(*testing.T, int) {})
}

// cancelThenResume imports 4,000 accounts in chunks of 500, cancels the
// import on the first read of its file for which cancelAt holds, checks
// the import is cancelled short of the end (then checkCancelled with the
// offers created), resumes it and checks that every row became exactly one
// offer with one SMS.
func cancelThenResume(t *testing.T, cancelAt func(n int64, atEnd bool) bool, checkCancelled func(t *testing.T, created int)) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		var svc *offers.Service
		var importID string
		cancelled := false
		e := newTestEnvWith(t, db, func(d *handlers.Deps) {
			key := make([]byte, 32)
			rand.Read(key)
			sealer, _ := pii.NewSealer(key)
			disk, err := blob.NewDisk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			svc = offers.NewService(db.Offers(), d.Claims, d.Outages, sealer, d.Now, func() string { return uuid.Must(uuid.NewV7()).String() })
			svc.SetImportLimits(records.Limits{}, 500)
			svc.SetBlobs(&hookBlobs{Blobs: blob.NewEncrypted(disk, sealer), onRead: func(n int64, atEnd bool) {
				if !cancelled && cancelAt(n, atEnd) {
					cancelled = true
					if _, err := svc.CancelImport(context.Background(), offers.Actor{UserID: uuid.NewString(), Role: "supervisor"}, importID); err != nil {
						t.Errorf("cancel: %v", err)
					}
				}
			}})
			d.Offers = svc
		})
		f := newImportFixture(t, e)
		const n = 4000
		var b strings.Builder
		b.WriteString("account_ref,category,phone,monthly_fee_krw,settlement\n")
		for i := range n {
			fmt.Fprintf(&b, "SUB-%05d,paid_subscriber,010-4%03d-%04d,9900,bill_credit\n", i, i/1000, i%1000)
		}
		r := f.postAccounts(t, e, "", "text/csv", []byte(b.String()))
		if r.status != http.StatusAccepted {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		importID = r.json(t)["import_id"].(string)
		runImports(t, e, svc)
		v := f.importView(t, e, importID)
		if !cancelled || v["status"] != "cancelled" || v["offers_created"].(float64) >= n {
			t.Fatalf("after the cancel: %v (cancelled %v)", v, cancelled)
		}
		checkCancelled(t, int(v["offers_created"].(float64)))
		if r := e.call(t, "POST", "/api/v1/imports/"+importID+"/cancel", nil, bearer(f.sup)...); r.status != http.StatusConflict {
			t.Fatalf("cancel twice: got %d, want 409", r.status)
		}
		if r := e.call(t, "POST", "/api/v1/imports/"+importID+"/resume", nil, bearer(f.sup)...); r.status != http.StatusOK {
			t.Fatalf("resume: %d %s", r.status, r.body)
		}
		runImports(t, e, svc)
		v = f.importView(t, e, importID)
		if v["status"] != "done" || v["rows"].(float64) != n || v["accepted"].(float64) != n || v["offers_created"].(float64) != n {
			t.Fatalf("after the resume: %v, want every one of %d rows once", v, n)
		}
		sms := outboxOf(t, db, offers.TopicSMS, false)
		seen := map[string]bool{}
		for _, m := range sms {
			var p offers.MessagePayload
			if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || seen[p.OfferID] {
				t.Fatalf("message %s: %v (repeat %v)", m.ID, err, seen[p.OfferID])
			}
			seen[p.OfferID] = true
		}
		if len(sms) != n {
			t.Fatalf("got %d SMS, want %d", len(sms), n)
		}
	})
}

func TestImportOfUnreadableFileFails(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		r := f.postAccounts(t, e, "", "text/csv", []byte("이름,주소\n홍길동,서울\n"))
		if r.status != http.StatusAccepted {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		runImports(t, e, e.offers)
		v := f.importView(t, e, r.json(t)["import_id"].(string))
		errs := v["errors"].([]any)
		if v["status"] != "failed" || !strings.Contains(v["failure"].(string), "account_ref") || len(errs) != 3 || errs[0].(map[string]any)["line"].(float64) != 1 {
			t.Fatalf("got %v, want failed naming the missing columns at line 1", v)
		}
		if r := e.call(t, "POST", "/api/v1/imports/"+v["id"].(string)+"/resume", nil, bearer(f.sup)...); r.status != http.StatusConflict {
			t.Fatalf("resume a failed import: got %d, want 409", r.status)
		}
	})
}
