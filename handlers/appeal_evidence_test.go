package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countEvidence counts the evidence of a claim: its records, and its files
// in the blob store, which must agree (no file without its record).
func countEvidence(t *testing.T, e *testEnv, claimID string) int {
	t.Helper()
	n := countWhere(t, e.db, "SELECT count(*) FROM evidence WHERE claim_id = '"+claimID+"'")
	files, err := filepath.Glob(filepath.Join(e.blobDir, "evidence", claimID, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != n {
		t.Errorf("claim %s: %d evidence records but %d files stored %v", claimID, n, len(files), files)
	}
	return n
}

// TestAppealWithEvidence: a file and an appeal in one step, on the API and
// the claim page; a refused appeal keeps no file and a refused file makes
// no appeal.
func TestAppealWithEvidence(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 4)
		var ids []string
		for {
			c, tag := f.next(t, f.reviewer)
			if c == nil {
				break
			}
			id := c["id"].(string)
			if r := f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence"}); r.status != http.StatusCreated {
				t.Fatalf("reject: %d %s", r.status, r.body)
			}
			ids = append(ids, id)
		}
		if len(ids) != 4 {
			t.Fatalf("%d claims decided, want 4", len(ids))
		}
		good, late, bad, page := ids[0], ids[1], ids[2], ids[3]
		appeal := func(id, kind, name string, content []byte) response {
			ctype, form := appealForm(t, "영수증을 찾았습니다", kind, name, content)
			return e.call(t, "POST", "/api/v1/claims/"+id+"/appeal", string(form), append(bearer(f.alice), "Content-Type", ctype)...)
		}
		statusOf := func(id string) string { return f.getClaim(t, id)["status"].(string) }

		// Success: appealed with the file on record, the new ETag given.
		r := appeal(good, "billing", "receipt.png", pngBytes(64))
		if r.status != http.StatusOK || r.json(t)["status"] != "appealed" || r.header.Get("ETag") == "" {
			t.Fatalf("appeal with a file: %d %s", r.status, r.body)
		}
		if ev := r.json(t)["evidence"].([]any); len(ev) != 1 || ev[0].(map[string]any)["kind"] != "billing" {
			t.Errorf("evidence %v: want the receipt", ev)
		}
		// Appealed already: no second file.
		if r := appeal(good, "billing", "again.png", pngBytes(32)); r.status != http.StatusConflict {
			t.Errorf("second appeal: %d, want 409", r.status)
		}
		if n := countEvidence(t, e, good); n != 1 {
			t.Errorf("after a refused second appeal: %d files, want 1", n)
		}

		// Late: no file stays.
		db, _ := e.db.SQL()
		q := "UPDATE claims SET decided_at = " + placeholder(e.db) + " WHERE id = '" + late + "'"
		if _, err := db.ExecContext(context.Background(), q, e.now().Add(-31*24*time.Hour).UTC()); err != nil {
			t.Fatal(err)
		}
		if r := appeal(late, "billing", "receipt.png", pngBytes(64)); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "late" {
			t.Errorf("late appeal: %d %s, want 422 late", r.status, r.body)
		}
		if n := countEvidence(t, e, late); n != 0 || statusOf(late) != "rejected" {
			t.Errorf("after a late appeal: %d files, status %s; want none, rejected", n, statusOf(late))
		}

		// A refused file: no appeal.
		for _, c := range []struct {
			name, kind, file string
			content          []byte
			status           int
		}{
			{"not an accepted type", "billing", "page.html", []byte("<html><body>x</body></html>"), http.StatusUnsupportedMediaType},
			{"unknown kind", "selfie", "receipt.png", pngBytes(64), http.StatusUnprocessableEntity},
			{"records that do not parse", "sales_records", "sales.csv", []byte("when,amount\nyesterday,lots\n"), http.StatusUnprocessableEntity},
			{"empty file", "billing", "empty.png", nil, http.StatusUnprocessableEntity},
		} {
			if r := appeal(bad, c.kind, c.file, c.content); r.status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
			}
		}
		if n, st := countEvidence(t, e, bad), statusOf(bad); n != 0 || st != "rejected" {
			t.Errorf("after refused files: %d files, status %s; want none and still rejected", n, st)
		}
		if ds := e.call(t, "GET", "/api/v1/claims/"+bad+"/decisions", nil, bearer(f.alice)...).json(t)["decisions"].([]any); len(ds) != 1 {
			t.Errorf("decisions after refused files: %d, want the rejection only", len(ds))
		}

		// The claim page: the appeal form sends the file with the reason.
		b := loginBrowser(t, e, "alice@example.com")
		tok := formToken(t, b, e.srv.URL+"/claims/"+page)
		bp := postMultipart(t, e, b, "/claims/"+page+"/appeal", [][2]string{{"csrf_token", tok}, {"reason", "영수증"}, {"kind", "billing"}},
			&formFile{field: "file", name: "page.html", content: []byte("<html>x</html>")}, "")
		if bp.status != http.StatusUnsupportedMediaType || !strings.Contains(bp.body, `id="appeal-file-error"`) || !strings.Contains(bp.body, "이의 신청은 접수되지 않았습니다") {
			t.Errorf("page appeal with a bad file: %d, want 415 naming the file and saying nothing was sent", bp.status)
		}
		if n, st := countEvidence(t, e, page), statusOf(page); n != 0 || st != "rejected" {
			t.Errorf("after the refused page form: %d files, status %s", n, st)
		}
		bp = postMultipart(t, e, b, "/claims/"+page+"/appeal", [][2]string{{"csrf_token", tok}, {"reason", "영수증"}, {"kind", "billing"}},
			&formFile{field: "file", name: "receipt.png", content: pngBytes(64)}, "")
		if bp.status != http.StatusSeeOther {
			t.Fatalf("page appeal: %d %s", bp.status, bp.body)
		}
		if n, st := countEvidence(t, e, page), statusOf(page); n != 1 || st != "appealed" {
			t.Errorf("after the page appeal: %d files, status %s; want 1, appealed", n, st)
		}
	})
}

// TestInsufficientEvidenceNamesMissing: a rejection for insufficient
// evidence names the kinds the policy wants and the claim lacks, on the API
// and by their catalog names on the page; a file sent with the appeal is
// no longer missing.
func TestInsufficientEvidenceNamesMissing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		id := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)["id"].(string)
		_, tag := f.next(t, f.reviewer)
		if r := f.decide(t, f.reviewer, id, tag, map[string]any{"outcome": "reject", "reason_code": "insufficient_evidence"}); r.status != http.StatusCreated {
			t.Fatalf("reject: %d %s", r.status, r.body)
		}
		o := f.getClaim(t, id)["outcome"].(map[string]any)
		if o["decision"] != "reject" || o["amount_krw"] != float64(0) || fmt.Sprint(o["missing_evidence"]) != "[driver_id trip_records]" {
			t.Fatalf("outcome %v: want a rejection naming driver_id and trip_records", o)
		}
		b := loginBrowser(t, e, "alice@example.com")
		p := getPage(t, e, b, "/claims/"+id, "")
		i := strings.Index(p.body, `id="missing-evidence"`)
		if i < 0 {
			t.Fatalf("the claim page names no missing evidence")
		}
		missing := p.body[i : i+strings.Index(p.body[i:], "</ul>")]
		if !strings.Contains(missing, "운전 자격증·면허") || !strings.Contains(missing, "운행 기록 (CSV·XLSX)") {
			t.Errorf("missing evidence %s: want the catalog names of driver_id and trip_records", missing)
		}
		if !strings.Contains(p.body, `id="appeal-file"`) || !strings.Contains(p.body, `<option value="driver_id" selected>`) {
			t.Errorf("the appeal form has no file input with the first missing kind chosen")
		}

		ctype, form := appealForm(t, "면허증을 올립니다", "driver_id", "licence.png", pngBytes(64))
		r := f.e.call(t, "POST", "/api/v1/claims/"+id+"/appeal", string(form), append(bearer(f.alice), "Content-Type", ctype)...)
		if r.status != http.StatusOK {
			t.Fatalf("appeal with the licence: %d %s", r.status, r.body)
		}
		if got := fmt.Sprint(r.json(t)["outcome"].(map[string]any)["missing_evidence"]); got != "[trip_records]" {
			t.Errorf("after the licence: missing %s, want [trip_records]", got)
		}
	})
}
