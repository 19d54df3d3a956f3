package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// payoutEnv is testEnv served by a router that also has the payout and
// audit services.
type payoutEnv struct {
	*testEnv
	audit  *audit.Service
	sealer *pii.Sealer
}

func newPayoutEnv(t *testing.T, db *store.DB) *payoutEnv {
	t.Helper()
	e := newTestEnv(t, db)
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	sealer, err := pii.NewSealer(e.jwtKey) // the key newTestEnv seals claims with
	if err != nil {
		t.Fatal(err)
	}
	au := audit.NewService(e.db.Audit(), testAuditKey(t, e.jwtKey), e.now, newID)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	h, err := handlers.New(handlers.Deps{Auth: e.auth, Outages: e.outages, Claims: e.claims, Review: e.review, Audit: au,
		Payouts: payout.NewService(e.db.Payouts(), sealer, au, e.now, newID), BaseURL: "https://bosang.example", Catalog: cat,
		Ready: db.Ready, CSRFKey: e.jwtKey, Logger: slog.New(slog.NewJSONHandler(logs, nil)), RefreshTTL: 24 * time.Hour, Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.srv, e.logs = srv, logs
	return &payoutEnv{testEnv: e, audit: au, sealer: sealer}
}

func eachPayoutEnv(t *testing.T, fn func(t *testing.T, e *payoutEnv)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newPayoutEnv(t, db)) })
}

const (
	evilHolder  = `=HYPERLINK("http://evil","x")`
	evilAccount = "333-444-5555555"
)

// fileEvil files, as bob, a claim whose account holder is a spreadsheet
// formula.
func fileEvil(t *testing.T, f *reviewFixture) string {
	t.Helper()
	ctx := context.Background()
	bob, err := f.e.db.UserByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	in := claims.NewClaim{OutageID: f.outageID, Category: "driver", Monetary: true, Description: "피해", Details: map[string]any{"monthly_fee_krw": 10000},
		PayoutAccount: claims.Account{Bank: "088", Number: evilAccount, Holder: evilHolder}}
	key := uuid.NewString()
	if _, err := f.e.claims.BeginRequest(ctx, bob.ID, key, []byte(key)); err != nil {
		t.Fatal(err)
	}
	v, _, err := f.e.claims.File(ctx, bob, key, in, testAnswer)
	if err != nil {
		t.Fatalf("file the formula claim: %v", err)
	}
	return v.ID
}

// approveQueue has the reviewer take and approve every queued claim, each
// for a small amount, and returns how many it approved.
func approveQueue(t *testing.T, f *reviewFixture) int {
	t.Helper()
	n := 0
	for {
		c, tag := f.next(t, f.reviewer)
		if c == nil {
			return n
		}
		r := f.decide(t, f.reviewer, c["id"].(string), tag, map[string]any{"outcome": "approve", "amount_krw": 10000 + n})
		if r.status != http.StatusCreated {
			t.Fatalf("approve %s: got %d %s, want 201", c["id"], r.status, r.body)
		}
		n++
	}
}

func (f *reviewFixture) build(t *testing.T, token string, body any) response {
	t.Helper()
	return f.e.call(t, "POST", "/api/v1/payouts/batches", body, bearer(token)...)
}

// batchClaims returns the claim ids of a batch JSON, in order.
func batchClaims(t *testing.T, r response) []string {
	t.Helper()
	var ids []string
	for _, it := range r.json(t)["items"].([]any) {
		ids = append(ids, it.(map[string]any)["claim_id"].(string))
	}
	return ids
}

func (f *reviewFixture) settle(t *testing.T, batchID string, items ...map[string]any) response {
	t.Helper()
	return f.e.call(t, "POST", "/api/v1/payouts/batches/"+batchID+"/paid", map[string]any{"items": items}, bearer(f.supervisor)...)
}

func TestPayoutExport(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 3)
		evil := fileEvil(t, f)
		approveQueue(t, f)
		for who, tok := range map[string]string{"claimant": f.alice, "reviewer": f.reviewer} {
			if r := f.build(t, tok, nil); r.status != http.StatusForbidden {
				t.Errorf("%s builds a batch: got %d, want 403", who, r.status)
			}
		}
		r := f.build(t, f.supervisor, map[string]any{})
		if r.status != http.StatusCreated {
			t.Fatalf("build: got %d %s, want 201", r.status, r.body)
		}
		b := r.json(t)
		id := b["id"].(string)
		if b["item_count"] != float64(4) || b["status"] != "open" || len(b["items"].([]any)) != 4 || b["total_krw"].(float64) <= 0 {
			t.Fatalf("batch: got %s, want 4 open items", r.body)
		}
		g := e.call(t, "GET", "/api/v1/payouts/batches/"+id, nil, bearer(f.supervisor)...)
		for _, body := range [][]byte{r.body, g.body} {
			if bytes.Contains(body, []byte("110-123-456789")) || bytes.Contains(body, []byte(evilAccount)) {
				t.Errorf("batch JSON shows a whole account number: %s", body)
			}
			if !bytes.Contains(body, []byte(pii.MaskAccount("110-123-456789"))) || !bytes.Contains(body, []byte(pii.MaskAccount(evilAccount))) {
				t.Errorf("batch JSON lacks the masked accounts: %s", body)
			}
		}
		if g.status != http.StatusOK || !slices.Contains(batchClaims(t, g), evil) {
			t.Errorf("get batch: got %d %s, want 200 with the formula claim", g.status, g.body)
		}

		base := "/api/v1/payouts/batches/" + id + "/export."
		for _, ext := range []string{"csv", "xlsx"} {
			if r := e.call(t, "GET", base+ext, nil, bearer(f.supervisor)...); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s without a reason: got %d, want 422", ext, r.status)
			}
			if r := e.call(t, "GET", base+ext+"?reason=x", nil, bearer(f.reviewer)...); r.status != http.StatusForbidden {
				t.Errorf("%s by a reviewer: got %d, want 403", ext, r.status)
			}
			if r := e.call(t, "GET", base+ext+"?reason=x", nil, bearer(f.alice)...); r.status != http.StatusForbidden {
				t.Errorf("%s by a claimant: got %d, want 403", ext, r.status)
			}
		}
		c := e.call(t, "GET", base+"csv?reason=bank+transfer+2024-06", nil, bearer(f.supervisor)...)
		checkDownload(t, c, "text/csv")
		if !bytes.HasPrefix(c.body, []byte("\uFEFF")) {
			t.Errorf("CSV starts %q, want a UTF-8 byte order mark", c.body[:min(3, len(c.body))])
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.body, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		checkTransferRows(t, "csv", rows, evil)

		x := e.call(t, "GET", base+"xlsx?reason=bank+transfer+2024-06", nil, bearer(f.supervisor)...)
		checkDownload(t, x, "spreadsheetml")
		xf, err := excelize.OpenReader(bytes.NewReader(x.body))
		if err != nil {
			t.Fatalf("open xlsx: %v", err)
		}
		defer xf.Close()
		rows, err = xf.GetRows("이체")
		if err != nil {
			t.Fatal(err)
		}
		checkTransferRows(t, "xlsx", rows, evil)

		logs := e.logs.String()
		if strings.Contains(logs, "110-123-456789") || strings.Contains(logs, evilAccount) || strings.Contains(logs, "5555555") {
			t.Errorf("logs show a whole account number:\n%s", logs)
		}
		if strings.Count(logs, `"action":"export_payout_batch"`) != 2 || !strings.Contains(logs, `"reason":"bank transfer 2024-06"`) {
			t.Errorf("logs lack the two exports with their reason:\n%s", logs)
		}
		entries, _, err := pe.audit.List(context.Background(), audit.Filter{Entity: audit.EntityPayoutBatch, EntityID: id})
		if err != nil {
			t.Fatal(err)
		}
		exports := 0
		for _, en := range entries {
			if en.Action == "payout_batch.export" && strings.Contains(en.Details, `"reason":"bank transfer 2024-06"`) {
				exports++
			}
		}
		if exports != 2 {
			t.Errorf("audit trail: got %d export entries with the reason, want 2: %+v", exports, entries)
		}
	})
}

func checkDownload(t *testing.T, r response, contentType string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("export: got %d %s, want 200", r.status, r.body)
	}
	if !strings.Contains(r.header.Get("Content-Type"), contentType) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") ||
		r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
		t.Errorf("export headers: got %v", r.header)
	}
}

// checkTransferRows checks a transfer file: the header, decrypted accounts,
// bank names, and the formula holder neutralised.
func checkTransferRows(t *testing.T, kind string, rows [][]string, evil string) {
	t.Helper()
	if len(rows) != 5 || !slices.Equal(rows[0], []string{"번호", "은행코드", "은행", "계좌번호", "예금주", "금액", "메모"}) {
		t.Fatalf("%s: got rows %q, want a header and 4 transfers", kind, rows)
	}
	seen := 0
	for _, row := range rows[1:] {
		if row[0] != row[6] || !strings.HasPrefix(row[0], "BS-") {
			t.Errorf("%s row %q: want the claim number in 번호 and 메모", kind, row)
		}
		switch row[4] {
		case "'" + evilHolder:
			seen++
			if row[1] != "088" || row[2] != "신한은행" || row[3] != evilAccount {
				t.Errorf("%s formula row: got %q", kind, row)
			}
		case "앨리스":
			if row[1] != "004" || row[2] != "KB국민은행" || row[3] != "110-123-456789" || row[5] == "" || row[5] == "0" {
				t.Errorf("%s row: got %q, want the decrypted account and amount", kind, row)
			}
		default:
			t.Errorf("%s row %q: holder neither 앨리스 nor the neutralised formula", kind, row)
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("%s cell %q starts a formula", kind, cell)
			}
		}
	}
	if seen != 1 {
		t.Errorf("%s: got %d rows with holder %q, want 1 (claim %s)", kind, seen, "'"+evilHolder, evil)
	}
}

// countWhere runs a count query (values inlined: only test-made ids), for
// checks the API does not expose.
func countWhere(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestPayoutSettleTwicePaysOnce(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		f.fileMany(t, 2)
		approveQueue(t, f)
		r := f.build(t, f.supervisor, nil)
		if r.status != http.StatusCreated {
			t.Fatalf("build: got %d %s", r.status, r.body)
		}
		batch := r.json(t)["id"].(string)
		ids := batchClaims(t, r)
		if len(ids) != 2 {
			t.Fatalf("batch has %d claims, want 2", len(ids))
		}
		paid, failed := ids[0], ids[1]
		for i := range 2 {
			s := f.settle(t, batch, map[string]any{"claim_id": paid, "status": "paid", "reference": "TX-1"})
			item := s.json(t)["items"].([]any)[0].(map[string]any)
			if s.status != http.StatusOK || item["changed"] != (i == 0) {
				t.Fatalf("mark paid, time %d: got %d %s, want 200 with changed=%v", i+1, s.status, s.body, i == 0)
			}
		}
		v, err := e.claims.ByID(context.Background(), paid)
		if err != nil {
			t.Fatal(err)
		}
		paidEvents := 0
		for _, ev := range v.Events {
			if ev.Status == "paid" {
				paidEvents++
			}
		}
		outbox := countWhere(t, e.db, `SELECT count(*) FROM outbox WHERE payload LIKE '%"claim_id":"`+paid+`"%' AND payload LIKE '%"status":"paid"%'`)
		if v.Status != "paid" || paidEvents != 1 || outbox != 1 {
			t.Errorf("paid claim: status %s, %d paid events, %d outbox messages; want paid, 1, 1", v.Status, paidEvents, outbox)
		}

		s := f.settle(t, batch, map[string]any{"claim_id": failed, "status": "failed", "reference": "account closed"})
		if s.status != http.StatusOK || s.json(t)["batch_status"] != "settled" {
			t.Fatalf("mark failed: got %d %s, want 200 and a settled batch", s.status, s.body)
		}
		if s := f.settle(t, batch, map[string]any{"claim_id": failed, "status": "paid", "reference": "TX-2"}); s.status != http.StatusConflict {
			t.Errorf("paid after failed: got %d %s, want 409", s.status, s.body)
		}
		if s := f.settle(t, batch, map[string]any{"claim_id": paid, "status": "failed"}); s.status != http.StatusConflict {
			t.Errorf("failed after paid: got %d %s, want 409", s.status, s.body)
		}
		if v, _ := e.claims.ByID(context.Background(), failed); v.Status != "approved" {
			t.Errorf("failed transfer: claim is %s, want approved", v.Status)
		}
		if r := e.call(t, "GET", "/api/v1/payouts/batches/"+batch+"/export.csv?reason=again", nil, bearer(f.supervisor)...); r.status != http.StatusConflict {
			t.Errorf("export of a settled batch: got %d, want 409", r.status)
		}

		r = f.build(t, f.supervisor, nil)
		if r.status != http.StatusCreated || !slices.Equal(batchClaims(t, r), []string{failed}) {
			t.Fatalf("next batch: got %d %s, want only the failed claim", r.status, r.body)
		}
		if r := f.build(t, f.supervisor, nil); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "nothing_to_pay" {
			t.Errorf("empty build: got %d %s, want 422 nothing_to_pay", r.status, r.body)
		}
	})
}

func TestPayoutConcurrentBuildsNeverShareAClaim(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		f := newReviewFixture(t, pe.testEnv)
		f.fileMany(t, 12)
		want := approveQueue(t, f)
		for round := range 20 {
			k := 2 + round%5
			var mu sync.Mutex
			var batches []response
			var wg sync.WaitGroup
			for range k {
				wg.Go(func() {
					r := f.build(t, f.supervisor, nil)
					mu.Lock()
					defer mu.Unlock()
					batches = append(batches, r)
				})
			}
			wg.Wait()
			owner := map[string]string{}
			for _, r := range batches {
				switch r.status {
				case http.StatusUnprocessableEntity, http.StatusConflict:
					continue
				case http.StatusCreated:
				default:
					t.Fatalf("round %d: build got %d %s", round, r.status, r.body)
				}
				id := r.json(t)["id"].(string)
				var fail []map[string]any
				for _, c := range batchClaims(t, r) {
					if prev, ok := owner[c]; ok {
						t.Fatalf("round %d: claim %s is in batches %s and %s", round, c, prev, id)
					}
					owner[c] = id
					fail = append(fail, map[string]any{"claim_id": c, "status": "failed"})
				}
				// Fail every transfer so that the next round competes for the
				// same claims again.
				if s := f.settle(t, id, fail...); s.status != http.StatusOK {
					t.Fatalf("round %d: fail batch: got %d %s", round, s.status, s.body)
				}
			}
			if len(owner) != want {
				t.Fatalf("round %d: %d claims batched, want %d", round, len(owner), want)
			}
		}
	})
}

// TestPayoutExportStreams20000 exports a batch of 20,000 claims in both
// formats and logs the file sizes and the peak heap growth while each file
// is written, to show that the rows are streamed, not held.
func TestPayoutExportStreams20000(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20,000 claims")
	}
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		f := newReviewFixture(t, pe.testEnv)
		const n = 20000
		seedApproved(t, pe, f.outageID, n)
		r := f.build(t, f.supervisor, nil)
		if r.status != http.StatusCreated || r.json(t)["item_count"] != float64(n) {
			t.Fatalf("build: got %d, want 201 with %d items", r.status, n)
		}
		id := r.json(t)["id"].(string)
		for _, ext := range []string{"csv", "xlsx"} {
			size, peak := measure(t, func() (int64, error) {
				req, _ := http.NewRequest("GET", pe.srv.URL+"/api/v1/payouts/batches/"+id+"/export."+ext+"?reason=memory+test", nil)
				req.Header.Set("Authorization", "Bearer "+f.supervisor)
				resp, err := pe.srv.Client().Do(req)
				if err != nil {
					return 0, err
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return 0, fmt.Errorf("status %d", resp.StatusCode)
				}
				if ext == "xlsx" {
					return io.Copy(io.Discard, resp.Body)
				}
				cr := &countingReader{r: resp.Body}
				if err := checkCSVOrder(cr, n); err != nil {
					return 0, err
				}
				return cr.n, nil
			})
			t.Logf("export.%s of %d claims: %d bytes, peak heap growth %.1f MiB", ext, n, size, float64(peak)/(1<<20))
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// checkCSVOrder reads a transfer file as it streams and checks it has the
// header and n transfers, in claim number order, each claim once.
func checkCSVOrder(r io.Reader, n int) error {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return err
	}
	if head[0] != "\uFEFF번호" {
		return fmt.Errorf("header %q, want a byte order mark and 번호", head)
	}
	seen, prev := 0, ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rec[0] <= prev {
			return fmt.Errorf("row %d: claim %s after %s, want ascending claim numbers", seen+1, rec[0], prev)
		}
		prev = rec[0]
		seen++
	}
	if seen != n {
		return fmt.Errorf("%d transfers, want %d", seen, n)
	}
	return nil
}

// measure runs fn while sampling the heap and returns fn's byte count and
// the highest heap in use above the level before it.
func measure(t *testing.T, fn func() (int64, error)) (int64, uint64) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	size, err := fn()
	close(done)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	return size, peak - base
}

// seedApproved inserts n approved claims (by n/5 claimants, five categories
// each) straight into the database: filing them one by one would take
// minutes and test nothing new.
func seedApproved(t *testing.T, pe *payoutEnv, outageID string, n int) {
	t.Helper()
	sqlDB, err := pe.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		if _, err := sqlDB.Exec(q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	const at = "'2024-01-01 00:00:00+00:00'"
	cats := []string{"free_user", "paid_subscriber", "merchant", "driver", "partner_business"}
	var users, rows []string
	flush := func() {
		if len(users) > 0 {
			exec("INSERT INTO users (id, email, password_hash, name, role, created_at, updated_at) VALUES " + strings.Join(users, ","))
		}
		if len(rows) > 0 {
			exec(`INSERT INTO claims (id, number, claimant_id, outage_id, category, monetary, description, claimed_amount_krw, details,
payout_bank, payout_holder, payout_number_sealed, payout_key_id, payout_number_masked, status, estimate_amount_krw, policy_version,
version, created_at, updated_at, approved_amount_krw) VALUES ` + strings.Join(rows, ","))
		}
		users, rows = users[:0], rows[:0]
	}
	var user string
	for i := range n {
		if i%len(cats) == 0 {
			user = uuid.NewString()
			users = append(users, fmt.Sprintf("('%s', 'seed%d@example.com', 'x', '시드', 'claimant', %s, %s)", user, i, at, at))
		}
		id := uuid.Must(uuid.NewV7()).String()
		number := fmt.Sprintf("110-%03d-%06d", i%1000, i)
		sealed, keyID := pe.sealer.Seal(number, id)
		rows = append(rows, fmt.Sprintf("('%s', 'BS-T-%06d', '%s', '%s', '%s', TRUE, '피해', 0, '{}', '004', '홍길동', '%s', '%s', '%s', 'approved', 10000, 1, 2, %s, %s, %d)",
			id, i, user, outageID, cats[i%len(cats)], sealed, keyID, pii.MaskAccount(number), at, at, 10000+i))
		if len(rows) == 500 {
			flush()
		}
	}
	flush()
	if got := countWhere(t, pe.db, "SELECT count(*) FROM claims WHERE status = 'approved'"); got < n {
		t.Fatalf("seeded %d approved claims, want %d", got, n)
	}
}
