//go:build offerbench

package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/auth"
)

// TestOfferAcceptLatency measures issue 14's "accepting an offer: same
// latency class as reading a claim": n claimants each accept one ₩7,550
// cash offer by bank (POST /api/v1/offers/{id}/accept: the offer's move,
// an approved claim with its estimate, event, outbox message and audit
// entry, in one transaction, behind an idempotency key), then read the
// claim it made (GET /api/v1/claims/{id}), one request at a time through
// the real router and store. It reports the percentiles of both and their
// ratio; it asserts only that every request succeeded. Run with
//
//	go test -tags offerbench -run TestOfferAcceptLatency -v ./handlers
func TestOfferAcceptLatency(t *testing.T) {
	const n = 200
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newOfferFixture(t, e)
		type pair struct{ token, offer string }
		people := make([]pair, n)
		for i := range people {
			email := fmt.Sprintf("taker%03d@example.com", i)
			if _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: testPassword, Name: "홍길동",
				Phone: "010-1234-5678", Role: "claimant"}); err != nil {
				t.Fatal(err)
			}
			tok := e.login(t, email, testPassword).AccessToken
			verify(t, e, meID(t, e, tok), "phone")
			id, _ := f.offer(t, nil)
			people[i] = pair{tok, id}
		}
		var accept, read []time.Duration
		claimsOf := make([]string, n)
		for i, p := range people {
			start := e.now()
			r := f.accept(t, p.token, p.offer, uuid.NewString(), bankAccept)
			accept = append(accept, e.now().Sub(start))
			if r.status != http.StatusOK {
				t.Fatalf("accept: %d %s", r.status, r.body)
			}
			claimsOf[i] = r.json(t)["claim_id"].(string)
		}
		for i, p := range people {
			start := e.now()
			r := e.call(t, "GET", "/api/v1/claims/"+claimsOf[i], nil, bearer(p.token)...)
			read = append(read, e.now().Sub(start))
			if r.status != http.StatusOK {
				t.Fatalf("read claim: %d %s", r.status, r.body)
			}
		}
		pa, pr := percentiles(accept), percentiles(read)
		t.Logf("accept an offer (n=%d): p50 %v p90 %v p99 %v", n, pa[0], pa[1], pa[2])
		t.Logf("read a claim    (n=%d): p50 %v p90 %v p99 %v", n, pr[0], pr[1], pr[2])
		t.Logf("accept / read: p50 %.1fx, p90 %.1fx", float64(pa[0])/float64(pr[0]), float64(pa[1])/float64(pr[1]))
	})
}

// percentiles returns the 50th, 90th and 99th percentiles of ds.
func percentiles(ds []time.Duration) [3]time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))] }
	return [3]time.Duration{at(0.50), at(0.90), at(0.99)}
}
