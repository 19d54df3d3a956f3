package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const transferRef = "KB-20221020-0001"

// paidScenario is a driver claim partially approved for ₩2,000 for
// insufficient evidence and then paid, the case of issue 10.
type paidScenario struct {
	*reviewFixture
	id       string
	estimate int64
	// before, decided and paid are the claim as its owner read it at each
	// stage.
	before, decided, paid map[string]any
}

func (f *reviewFixture) getClaim(t *testing.T, id string) map[string]any {
	t.Helper()
	r := f.e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(f.alice)...)
	if r.status != http.StatusOK {
		t.Fatalf("GET claim: %d %s", r.status, r.body)
	}
	return r.json(t)
}

// listed is the claim id as the owner's list shows it.
func (f *reviewFixture) listed(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, c := range f.e.call(t, "GET", "/api/v1/claims", nil, bearer(f.alice)...).json(t)["claims"].([]any) {
		if m := c.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("claim %s is not in its owner's list", id)
	return nil
}

// paidAfter is how long after the decision newPaidScenario's transfer is made.
const paidAfter = 26 * time.Hour

func newPaidScenario(t *testing.T, e *testEnv) *paidScenario {
	t.Helper()
	s := &paidScenario{reviewFixture: newReviewFixture(t, e)}
	r := s.file(t, s.alice, "driver-1", s.claimBody("driver", 0))
	if r.status != http.StatusCreated {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	s.id = r.json(t)["id"].(string)
	s.estimate = int64(r.json(t)["estimate"].(map[string]any)["amount_krw"].(float64))
	if s.estimate == 2000 {
		t.Fatalf("the estimate is ₩2,000 itself; the test could not tell it from the decided amount")
	}
	s.before = s.getClaim(t, s.id)
	c, tag := s.next(t, s.reviewer)
	if c == nil || c["id"] != s.id {
		t.Fatalf("the reviewer did not get the claim: %v", c)
	}
	if r := s.decide(t, s.reviewer, s.id, tag, map[string]any{"outcome": "partial", "amount_krw": 2000, "reason_code": "insufficient_evidence"}); r.status != http.StatusCreated {
		t.Fatalf("partial approval: %d %s", r.status, r.body)
	}
	s.decided = s.getClaim(t, s.id)
	e.clock.advance(paidAfter) // the transfer is made a day later
	b := s.build(t, s.supervisor, nil)
	if b.status != http.StatusCreated {
		t.Fatalf("build: %d %s", b.status, b.body)
	}
	if r := s.settle(t, b.json(t)["id"].(string), map[string]any{"claim_id": s.id, "status": "paid", "reference": transferRef}); r.status != http.StatusOK {
		t.Fatalf("settle: %d %s", r.status, r.body)
	}
	s.paid = s.getClaim(t, s.id)
	return s
}

// statusPayloads reads the claim.status outbox messages of a claim.
func statusPayloads(t *testing.T, e *testEnv, claimID string) []map[string]any {
	t.Helper()
	db, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(context.Background(), "SELECT payload FROM outbox WHERE topic = 'claim.status' ORDER BY created_at, id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		if m["claim_id"] == claimID {
			out = append(out, m)
		}
	}
	return out
}

// TestOutcomeAndPaymentAPI: outcome and payment are null before they exist;
// after a partial approval of ₩2,000 the claim and the list carry it with
// its reason; after the transfer, the payment with its date and reference.
// The claimant is told each with the amount.
func TestOutcomeAndPaymentAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		s := newPaidScenario(t, e)
		for _, k := range []string{"outcome", "payment"} {
			if v, ok := s.before[k]; !ok || v != nil {
				t.Errorf("before any decision: %s = %v (present %v), want null", k, v, ok)
			}
		}

		o, _ := s.decided["outcome"].(map[string]any)
		if o == nil || o["decision"] != "partial" || o["amount_krw"] != float64(2000) || o["reason_code"] != "insufficient_evidence" ||
			o["reason_text"] != "증빙 부족" || o["reason_text_en"] != "Insufficient evidence" || s.decided["payment"] != nil {
			t.Fatalf("after the partial approval: outcome %v, payment %v; want partial ₩2,000 for insufficient evidence, no payment", o, s.decided["payment"])
		}
		decidedAt := e.now().Add(-paidAfter)
		if at, err := time.Parse(time.RFC3339, o["decided_at"].(string)); err != nil || !at.Equal(decidedAt) {
			t.Errorf("decided_at %v (%v), want the decision's time %v", o["decided_at"], err, decidedAt)
		}
		if got := fmt.Sprint(o["missing_evidence"]); got != "[driver_id trip_records]" {
			t.Errorf("missing_evidence %s, want the driver evidence the policy asks, none uploaded: [driver_id trip_records]", got)
		}

		p, _ := s.paid["payment"].(map[string]any)
		if p == nil || p["amount_krw"] != float64(2000) || p["reference"] != transferRef || s.paid["status"] != "paid" {
			t.Fatalf("after the transfer: status %v, payment %v; want paid ₩2,000 with reference %s", s.paid["status"], p, transferRef)
		}
		if at, err := time.Parse(time.RFC3339, p["paid_at"].(string)); err != nil || !at.Equal(e.now()) {
			t.Errorf("paid_at %v (%v), want the settlement's time %v", p["paid_at"], err, e.now())
		}
		if po, _ := s.paid["outcome"].(map[string]any); po == nil || po["amount_krw"] != float64(2000) || po["decision"] != "partial" {
			t.Errorf("after the transfer the outcome is %v, want the partial approval still", s.paid["outcome"])
		}
		if est := s.paid["estimate"].(map[string]any)["amount_krw"]; est != float64(s.estimate) {
			t.Errorf("estimate %v, want the estimate unchanged (₩%d)", est, s.estimate)
		}
		l := s.listed(t, s.id)
		lo, _ := l["outcome"].(map[string]any)
		lp, _ := l["payment"].(map[string]any)
		if lo == nil || lo["amount_krw"] != float64(2000) || lp == nil || lp["reference"] != transferRef || lp["amount_krw"] != float64(2000) {
			t.Errorf("the list shows outcome %v and payment %v, want the claim's", lo, lp)
		}
		if fmt.Sprint(lo["missing_evidence"]) != fmt.Sprint(o["missing_evidence"]) {
			t.Errorf("the list names missing evidence %v, the claim %v", lo["missing_evidence"], o["missing_evidence"])
		}

		msgs := statusPayloads(t, e, s.id)
		byStatus := map[string]map[string]any{}
		for _, m := range msgs {
			byStatus[m["status"].(string)] = m
		}
		if m := byStatus["partially_approved"]; m == nil || m["amount_krw"] != float64(2000) || m["reason_code"] != "insufficient_evidence" {
			t.Errorf("the decision's message %v: want amount_krw 2000 with the reason", m)
		}
		if m := byStatus["paid"]; m == nil || m["amount_krw"] != float64(2000) || m["reference"] != transferRef {
			t.Errorf("the payment's message %v: want amount_krw 2000 and reference %s", m, transferRef)
		}
		if m := byStatus["submitted"]; m == nil || m["amount_krw"] != nil {
			t.Errorf("the filing's message %v: want amount_krw null", m)
		}
	})
}

// TestOutcomeAndPaymentPages: the claim page shows the decided and paid
// amount, date and reference above the estimate, which is labelled an
// estimate; the list shows the paid amount instead of the estimate.
func TestOutcomeAndPaymentPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		s := newPaidScenario(t, e)
		b := loginBrowser(t, e, "alice@example.com")
		paidAt, _ := time.Parse(time.RFC3339, s.paid["payment"].(map[string]any)["paid_at"].(string))
		decidedAt, _ := time.Parse(time.RFC3339, s.paid["outcome"].(map[string]any)["decided_at"].(string))
		kstOf := func(at time.Time) string { return at.In(time.FixedZone("KST", 9*3600)).Format("2006-01-02 15:04 KST") }

		p := getPage(t, e, b, "/claims/"+s.id, "")
		for _, want := range []string{`id="outcome-decision">일부 승인<`, `id="outcome-amount">₩2,000<`, `id="outcome-reason">증빙 부족<`,
			kstOf(decidedAt), `id="payment-amount">₩2,000<`, `id="payment-reference">` + transferRef + `<`, kstOf(paidAt),
			"예상 보상액 (추정)", `id="estimate-superseded"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("claim page lacks %s", want)
			}
		}
		if o, est := strings.Index(p.body, `id="outcome"`), strings.Index(p.body, `id="estimate"`); o < 0 || est < 0 || o > est {
			t.Errorf("outcome at %d, estimate at %d: want the outcome above the estimate", o, est)
		}
		en := getPage(t, e, b, "/claims/"+s.id, "en")
		for _, want := range []string{`id="outcome-decision">Partially approved<`, "Amount paid", "Transfer reference", "Estimated compensation", "Insufficient evidence"} {
			if !strings.Contains(en.body, want) {
				t.Errorf("English claim page lacks %s", want)
			}
		}

		list := getPage(t, e, b, "/claims", "")
		row := rowOf(t, list.body, s.id)
		if !strings.Contains(row, `data-basis="paid"`) || !strings.Contains(row, "₩2,000") || !strings.Contains(row, paidAt.In(time.FixedZone("KST", 9*3600)).Format("2006-01-02")+" 지급") {
			t.Errorf("list row %s: want ₩2,000 paid on its date", row)
		}
		if est := fmt.Sprintf("₩%s", commas(s.estimate)); strings.Contains(row, est) {
			t.Errorf("list row %s still shows the estimate %s", row, est)
		}
	})
}

// TestEstimateLabelledBeforeDecision: before a decision the page and the
// list show the estimate, saying it is one, and no outcome section.
func TestEstimateLabelledBeforeDecision(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		r := f.file(t, f.alice, "k", f.claimBody("driver", 0))
		id := r.json(t)["id"].(string)
		est := int64(r.json(t)["estimate"].(map[string]any)["amount_krw"].(float64))
		b := loginBrowser(t, e, "alice@example.com")
		p := getPage(t, e, b, "/claims/"+id, "")
		if !strings.Contains(p.body, "예상 보상액 (추정)") || strings.Contains(p.body, `id="outcome"`) {
			t.Errorf("claim page before a decision: want the labelled estimate and no outcome section")
		}
		row := rowOf(t, getPage(t, e, b, "/claims", "").body, id)
		if !strings.Contains(row, `data-basis="estimate"`) || !strings.Contains(row, "₩"+commas(est)) || !strings.Contains(row, "(추정") {
			t.Errorf("list row %s: want the estimate ₩%s marked 추정", row, commas(est))
		}
	})
}

// rowOf is the list row linking to claim id.
func rowOf(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `href="/claims/`+id+`"`)
	if i < 0 {
		t.Fatalf("the list has no row for %s", id)
	}
	end := strings.Index(body[i:], "</tr>")
	return body[i : i+end]
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
