package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/store"
)

// claimFixture is an outage of a paid service and a registered claimant.
type claimFixture struct {
	*outageFixture
	outageID string
	alice    string // claimant token
	bob      string // another claimant's token
}

func newClaimFixture(t *testing.T, e *testEnv) *claimFixture {
	t.Helper()
	f := newOutageFixture(t, e)
	end := e.now().Add(-48 * time.Hour).Truncate(time.Second)
	o := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": end.Add(-44 * time.Hour).Format(time.RFC3339),
		"ended_at": end.Format(time.RFC3339), "cause": "fire", "summary": "화재"})
	if o.status != http.StatusCreated {
		t.Fatalf("create outage: %d %s", o.status, o.body)
	}
	return &claimFixture{outageFixture: f, outageID: o.json(t)["id"].(string),
		alice: e.registerAndLogin(t, "alice@example.com").AccessToken, bob: e.registerAndLogin(t, "bob@example.com").AccessToken}
}

const testAccount = "110-123-456789"

func (f *claimFixture) claimBody(category string, amount int64) map[string]any {
	return map[string]any{"outage_id": f.outageID, "category": category, "monetary": true, "description": "호출을 받지 못했습니다",
		"claimed_amount_krw": amount, "details": map[string]any{"monthly_fee_krw": 39000},
		"payout_account": map[string]string{"bank": "004", "number": testAccount, "holder": "앨리스"}}
}

func (f *claimFixture) file(t *testing.T, token, key string, body any) response {
	t.Helper()
	h := bearer(token)
	if key != "" {
		h = append(h, "Idempotency-Key", key)
	}
	return f.e.call(t, "POST", "/api/v1/claims", body, h...)
}

func TestFileClaimDriver(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		r := f.file(t, f.alice, "k1", f.claimBody("driver", 0))
		if r.status != http.StatusCreated {
			t.Fatalf("file: got %d %s, want 201", r.status, r.body)
		}
		c := r.json(t)
		est := c["estimate"].(map[string]any)
		// The fixture's outage runs 44 hours and ends 48 hours before the
		// harness clock: 14:00 28 May to 10:00 30 May in KST, three calendar
		// days. ₩39,000 × 3 days × 3 ÷ 31 days in May = ₩11,322.58, rounded
		// up to ₩10.
		if est["amount_krw"] != float64(11_330) || len(est["steps"].([]any)) < 5 || est["policy_version"].(float64) != 1 {
			t.Fatalf("estimate %v: want ₩11,330 with its steps under policy 1", est)
		}
		if !strings.HasPrefix(c["number"].(string), "BS-") || c["status"] != "submitted" {
			t.Fatalf("claim %v: want a BS- number and status submitted", c)
		}
		if got := c["payout_account"].(map[string]any)["number"]; got != "110-***-****89" {
			t.Fatalf("account in the response: got %v, want the masked form", got)
		}
		if strings.Contains(string(r.body), "456789") {
			t.Fatal("the response contains the account number")
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		body := f.claimBody("paid_subscriber", 0)
		first := f.file(t, f.alice, "same-key", body)
		again := f.file(t, f.alice, "same-key", body)
		if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) {
			t.Fatalf("same key and body: got %d then %d, bodies equal %v; want the first response again", first.status, again.status, string(first.body) == string(again.body))
		}
		body["description"] = "다른 내용"
		if r := f.file(t, f.alice, "same-key", body); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: got %d %s, want 422", r.status, r.body)
		}
		if r := f.file(t, f.alice, "", body); r.status != http.StatusBadRequest {
			t.Fatalf("no key: got %d, want 400", r.status)
		}
		// Keys are per user: Bob may use the same string.
		if r := f.file(t, f.bob, "same-key", f.claimBody("paid_subscriber", 0)); r.status != 201 {
			t.Fatalf("another user's key: got %d %s, want 201", r.status, r.body)
		}
		// A second claim for the same outage and category is a conflict naming the first.
		r := f.file(t, f.alice, "other-key", f.claimBody("paid_subscriber", 0))
		if r.status != http.StatusConflict || !strings.Contains(string(r.body), first.json(t)["id"].(string)) {
			t.Fatalf("duplicate claim: got %d %s, want 409 linking the first", r.status, r.body)
		}
		// A rule broken is replayed too, not re-run.
		bad := f.claimBody("driver", 0)
		bad["payout_account"] = map[string]string{"bank": "999", "number": "1", "holder": ""}
		r1, r2 := f.file(t, f.alice, "bad-key", bad), f.file(t, f.alice, "bad-key", bad)
		if r1.status != 422 || r2.status != 422 || string(r1.body) != string(r2.body) {
			t.Fatalf("invalid claim twice: got %d and %d, want the same 422", r1.status, r2.status)
		}
	})
}

// TestIdempotencyKeyConcurrent: 50 concurrent POSTs with one key create
// exactly one claim; every answer is the claim (201) or "still running" (409).
func TestIdempotencyKeyConcurrent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		body := f.claimBody("driver", 0)
		statuses := make([]int, 50)
		ids := make([]string, 50)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				r := f.file(t, f.alice, "storm", body)
				statuses[i] = r.status
				if r.status == 201 {
					ids[i] = r.json(t)["id"].(string)
				}
			})
		}
		wg.Wait()
		created := map[string]bool{}
		for i, s := range statuses {
			switch s {
			case 201:
				created[ids[i]] = true
			case 409:
			default:
				t.Fatalf("request %d: got %d, want 201 or 409", i, s)
			}
		}
		if len(created) != 1 {
			t.Fatalf("distinct claims in 201 answers: got %d, want 1", len(created))
		}
		var n int64
		if err := countRows(e.db, "claims", &n); err != nil || n != 1 {
			t.Fatalf("claims stored: got %d (%v), want 1", n, err)
		}
	})
}

func countRows(db *store.DB, table string, n *int64) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	return sqlDB.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(n)
}

func TestClaimsArePrivate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		c := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)
		id := c["id"].(string)
		ev := upload(t, e, f.alice, id, "screenshot", "shot.png", pngBytes(100))
		if ev.status != 201 {
			t.Fatalf("upload: got %d %s", ev.status, ev.body)
		}
		eid := ev.json(t)["id"].(string)
		if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "rev@example.com", Password: testPassword, Name: "심사", Role: "reviewer"}); err != nil {
			t.Fatal(err)
		}
		reviewer := e.login(t, "rev@example.com", testPassword).AccessToken
		for _, path := range []string{"/api/v1/claims/" + id, "/api/v1/claims/" + id + "/evidence/" + eid} {
			if r := e.call(t, "GET", path, nil, bearer(f.bob)...); r.status != http.StatusNotFound {
				t.Errorf("Bob reading %s: got %d, want 404", path, r.status)
			}
			if r := e.call(t, "GET", path, nil, bearer(f.alice)...); r.status != http.StatusOK {
				t.Errorf("Alice reading %s: got %d, want 200", path, r.status)
			}
			if r := e.call(t, "GET", path, nil, bearer(reviewer)...); r.status != http.StatusOK {
				t.Errorf("reviewer reading %s: got %d, want 200", path, r.status)
			}
			if r := e.call(t, "GET", path, nil, bearer(f.operator)...); r.status != http.StatusForbidden {
				t.Errorf("operator reading %s: got %d, want 403 (operators read no claim)", path, r.status)
			}
		}
		if r := e.call(t, "POST", "/api/v1/claims/"+id+"/withdraw", nil, bearer(f.bob)...); r.status != http.StatusNotFound {
			t.Errorf("Bob withdrawing Alice's claim: got %d, want 404", r.status)
		}
		if r := upload(t, e, f.bob, id, "screenshot", "x.png", pngBytes(10)); r.status != http.StatusNotFound {
			t.Errorf("Bob uploading to Alice's claim: got %d, want 404", r.status)
		}
		if list := e.call(t, "GET", "/api/v1/claims", nil, bearer(f.bob)...).json(t)["claims"].([]any); len(list) != 0 {
			t.Errorf("Bob's list shows %d claims, want none", len(list))
		}
		// Status, amount and role cannot be set through the body.
		body := f.claimBody("paid_subscriber", 0)
		body["status"], body["estimate_amount_krw"], body["role"], body["claimant_id"] = "approved", 9_999_999, "admin", "someone"
		r := f.file(t, f.bob, "sneaky", body).json(t)
		if r["status"] != "submitted" || r["estimate"].(map[string]any)["amount_krw"].(float64) == 9_999_999 {
			t.Fatalf("claim filed with status/amount in the body: got %v / %v", r["status"], r["estimate"])
		}
		me := e.call(t, "GET", "/api/v1/me", nil, bearer(f.bob)...).json(t)
		if me["role"] != "claimant" {
			t.Fatalf("Bob's role after the sneaky claim: %v", me["role"])
		}
	})
}

func TestWithdraw(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		id := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)["id"].(string)
		r := e.call(t, "POST", "/api/v1/claims/"+id+"/withdraw", map[string]string{"reason": "직접 해결됨"}, bearer(f.alice)...)
		if r.status != 200 || r.json(t)["status"] != "withdrawn" {
			t.Fatalf("withdraw: got %d %s", r.status, r.body)
		}
		events := r.json(t)["events"].([]any)
		if len(events) != 2 || events[1].(map[string]any)["status"] != "withdrawn" {
			t.Fatalf("timeline %v: want submitted then withdrawn", events)
		}
		if r := e.call(t, "POST", "/api/v1/claims/"+id+"/withdraw", nil, bearer(f.alice)...); r.status != http.StatusConflict {
			t.Fatalf("withdrawing twice: got %d, want 409", r.status)
		}
		var n int64
		if err := countRows(e.db, "outbox WHERE topic = 'claim.status'", &n); err != nil || n != 2 {
			t.Fatalf("claimant messages in the outbox: got %d (%v), want 2 (filed, withdrawn)", n, err)
		}
	})
}

func TestAccountNumberEncryptedAtRest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		r := f.file(t, f.alice, "k", f.claimBody("driver", 0))
		id := r.json(t)["id"].(string)
		sqlDB, _ := e.db.SQL()
		var sealed, masked, keyID string
		if err := sqlDB.QueryRow("SELECT payout_number_sealed, payout_number_masked, payout_key_id FROM claims WHERE id = "+placeholder(e.db), id).Scan(&sealed, &masked, &keyID); err != nil {
			t.Fatal(err)
		}
		digits := strings.ReplaceAll(testAccount, "-", "")
		if strings.Contains(sealed, digits) || strings.Contains(sealed, testAccount) || sealed == "" || keyID == "" {
			t.Fatalf("sealed column %q (key %q): want ciphertext with a key id", sealed, keyID)
		}
		if masked != "110-***-****89" {
			t.Fatalf("masked column %q", masked)
		}
		var dump bytes.Buffer
		rows, _ := sqlDB.Query("SELECT * FROM claims")
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprint(&dump, vals...)
		}
		rows.Close()
		if strings.Contains(dump.String(), digits) || strings.Contains(dump.String(), "456789") {
			t.Fatal("a claims column holds the account number in plain text")
		}
		for _, path := range []string{"/api/v1/claims/" + id, "/api/v1/claims"} {
			if body := string(e.call(t, "GET", path, nil, bearer(f.alice)...).body); strings.Contains(body, "456789") {
				t.Errorf("%s shows the account number", path)
			}
		}
		if strings.Contains(e.logs.String(), "456789") || strings.Contains(e.logs.String(), testPassword) {
			t.Fatal("the server log contains an account number or a password")
		}
	})
}

func placeholder(db *store.DB) string {
	if db.Dialect() == store.Postgres {
		return "$1"
	}
	return "?"
}

func pngBytes(n int) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, n)...)
}

func upload(t *testing.T, e *testEnv, token, claimID, kind, name string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/claims/"+claimID+"/evidence", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func TestEvidenceUploads(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		id := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)["id"].(string)
		content := pngBytes(1000)
		r := upload(t, e, f.alice, id, "screenshot", "../../etc/passwd.png", content)
		if r.status != 201 {
			t.Fatalf("upload: got %d %s", r.status, r.body)
		}
		ev := r.json(t)
		sum := sha256.Sum256(content)
		if ev["sha256"] != hex.EncodeToString(sum[:]) || ev["content_type"] != "image/png" || ev["size"].(float64) != float64(len(content)) {
			t.Fatalf("evidence %v: want the file's SHA-256, PNG and its size", ev)
		}
		if ev["name"] != "passwd.png" {
			t.Fatalf("stored name %q: want the last path element only", ev["name"])
		}
		dl := e.call(t, "GET", "/api/v1/claims/"+id+"/evidence/"+ev["id"].(string), nil, bearer(f.alice)...)
		if !bytes.Equal(dl.body, content) || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") || dl.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %d bytes, disposition %q", len(dl.body), dl.header.Get("Content-Disposition"))
		}
		html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
		if r := upload(t, e, f.alice, id, "screenshot", "cat.jpg", html); r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("HTML named .jpg: got %d %s, want 415", r.status, r.body)
		}
		big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 10<<20-9+1)...)
		if r := upload(t, e, f.alice, id, "other", "big.pdf", big); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("10 MiB + 1 byte: got %d, want 413", r.status)
		}
		exact := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 10<<20-9)...)
		if r := upload(t, e, f.alice, id, "other", "exact.pdf", exact); r.status != http.StatusCreated {
			t.Fatalf("exactly 10 MiB: got %d %s, want 201", r.status, r.body)
		}
		list := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...).json(t)["evidence"].([]any)
		if len(list) != 2 {
			t.Fatalf("evidence recorded: got %d, want 2 (the refused files leave nothing)", len(list))
		}
	})
}
