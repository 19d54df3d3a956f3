package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/models"
)

// listPageSize is the claims list's page size (claimsPageSize in handlers).
const listPageSize = 25

var (
	listedClaim = regexp.MustCompile(`<th scope="row"><a href="/claims/([0-9a-f-]{36})">`)
	moreLink    = regexp.MustCompile(`<a href="(/claims\?next=[^"]+)" id="claims-more"`)
	staticRef   = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
)

// seeded is a claimant with claims inserted straight into the database.
type seeded struct {
	alice, bob *http.Client
	// aliceIDs and bobIDs are each claimant's claims, newest first by
	// (created_at, id), the order the list promises.
	aliceIDs, bobIDs []string
}

// seedClaimLists registers Alice and Bob and gives Alice nAlice and Bob nBob
// claims, interleaved in time. Groups of three share a created_at so the
// cursor's id tiebreak is exercised; the ids are random, not time-ordered.
// Filing hundreds through the service would take long and test nothing new.
func seedClaimLists(t *testing.T, e *testEnv, nAlice, nBob int) *seeded {
	t.Helper()
	ctx := context.Background()
	newOutageFixture(t, e) // the catalogue
	e.registerAndLogin(t, "alice@example.com")
	e.registerAndLogin(t, "bob@example.com")
	alice, err := e.db.UserByEmail(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := e.db.UserByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cats := []string{"free_user", "paid_subscriber", "merchant", "driver", "partner_business"}
	var outages []string
	end := e.now().Add(-24 * time.Hour)
	for i := 0; i < max(nAlice, nBob); i += len(cats) {
		start, stop := end.Add(-time.Duration(i+5)*time.Hour), end.Add(-time.Duration(i)*time.Hour)
		o, err := e.outages.Create(ctx, &models.User{ID: alice.ID}, outageInput(start, stop))
		if err != nil {
			t.Fatal(err)
		}
		outages = append(outages, o.ID)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	type row struct {
		id string
		at time.Time
	}
	var claims, estimates []string
	add := func(user *models.User, i int, at time.Time, tag string) row {
		r := row{id: uuid.NewString(), at: at}
		ts := "'" + at.Format("2006-01-02 15:04:05.999999999-07:00") + "'"
		claims = append(claims, fmt.Sprintf("('%s', 'BS-T%s-%06d', '%s', '%s', '%s', TRUE, '피해', 0, '{}', '004', '홍길동', 'x', 'x', '110-***-****89', 'submitted', %d, 1, 1, %s, %s)",
			r.id, tag, i, user.ID, outages[i/len(cats)], cats[i%len(cats)], 10000+i, ts, ts))
		estimates = append(estimates, fmt.Sprintf("('%s', '%s', 1, %d, '[]', TRUE, FALSE, %s)", uuid.NewString(), r.id, 10000+i, ts))
		return r
	}
	var aliceRows, bobRows []row
	for i := range nAlice {
		aliceRows = append(aliceRows, add(alice, i, base.Add(time.Duration(i/3)*time.Second), "A"))
	}
	for i := range nBob {
		bobRows = append(bobRows, add(bob, i, base.Add(time.Duration(i/2)*time.Second+500*time.Millisecond), "B"))
	}
	sqlDB, err := e.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < len(claims); start += 200 {
		stop := min(start+200, len(claims))
		if _, err := sqlDB.Exec(`INSERT INTO claims (id, number, claimant_id, outage_id, category, monetary, description, claimed_amount_krw, details,
payout_bank, payout_holder, payout_number_sealed, payout_key_id, payout_number_masked, status, estimate_amount_krw, policy_version,
version, created_at, updated_at) VALUES ` + strings.Join(claims[start:stop], ",")); err != nil {
			t.Fatalf("seed claims: %v", err)
		}
		if _, err := sqlDB.Exec(`INSERT INTO claim_estimates (id, claim_id, policy_version, amount_krw, steps, auto, review_required, created_at) VALUES ` +
			strings.Join(estimates[start:stop], ",")); err != nil {
			t.Fatalf("seed estimates: %v", err)
		}
	}
	newestFirst := func(rows []row) []string {
		slices.SortFunc(rows, func(a, b row) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return strings.Compare(b.id, a.id)
		})
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.id
		}
		return ids
	}
	return &seeded{alice: loginBrowser(t, e, "alice@example.com"), bob: loginBrowser(t, e, "bob@example.com"),
		aliceIDs: newestFirst(aliceRows), bobIDs: newestFirst(bobRows)}
}

// listedIDs returns the claim ids in a list page's table, in order.
func listedIDs(p page) []string {
	var ids []string
	for _, m := range listedClaim.FindAllStringSubmatch(p.body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// walkClaims follows the list's "more" links from /claims to the end and
// returns every claim id seen, in order, checking each page's size.
func walkClaims(t *testing.T, e *testEnv, c *http.Client, limit int) []string {
	t.Helper()
	var all []string
	path := "/claims"
	for pages := 0; path != ""; pages++ {
		if pages > limit {
			t.Fatalf("still following more links after %d pages", pages)
		}
		p := getPage(t, e, c, path, "")
		if p.status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, p.status)
		}
		ids := listedIDs(p)
		if len(ids) == 0 || len(ids) > listPageSize {
			t.Fatalf("GET %s: got %d rows, want 1 to %d", path, len(ids), listPageSize)
		}
		all = append(all, ids...)
		path = ""
		if m := moreLink.FindStringSubmatch(p.body); m != nil {
			if len(ids) != listPageSize {
				t.Fatalf("GET %s: a more link under a short page of %d rows", m[1], len(ids))
			}
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return all
}

func TestClaimsListPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		s := seedClaimLists(t, e, 3*listPageSize+7, 40)
		got := walkClaims(t, e, s.alice, 10)
		if !slices.Equal(got, s.aliceIDs) {
			t.Fatalf("following the more links gave %d claims, want Alice's %d newest first with no gap or repeat\ngot  %v\nwant %v",
				len(got), len(s.aliceIDs), got, s.aliceIDs)
		}
		if got := walkClaims(t, e, s.bob, 10); !slices.Equal(got, s.bobIDs) {
			t.Fatalf("Bob's list: got %v, want his own %v", got, s.bobIDs)
		}
		first := getPage(t, e, s.alice, "/claims", "")
		if !strings.Contains(first.body, `id="claims-more"`) || strings.Contains(first.body, `id="claims-first"`) {
			t.Error("the first page should link to the next page and not to itself")
		}
		second := getPage(t, e, s.alice, "/claims?next="+s.aliceIDs[listPageSize-1], "en")
		if !strings.Contains(second.body, `id="claims-first"`) || !strings.Contains(second.body, "Next: older claims") {
			t.Errorf("the English second page lacks the link back to the newest claims or the more link text:\n%.3000s", second.body)
		}
		// Past the oldest claim (only by hand: the last page has no more link).
		end := getPage(t, e, s.alice, "/claims?next="+s.aliceIDs[len(s.aliceIDs)-1], "")
		if end.status != http.StatusOK || len(listedIDs(end)) != 0 || !strings.Contains(end.body, `id="no-more-claims"`) || strings.Contains(end.body, `id="claims-more"`) {
			t.Errorf("after the oldest claim: got %d with %d rows, want 200 saying there are no older claims", end.status, len(listedIDs(end)))
		}
	})
}

func TestClaimsListBadCursor(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		s := seedClaimLists(t, e, listPageSize+3, 10)
		newest := s.aliceIDs[:listPageSize]
		for name, cursor := range map[string]string{
			"garbage": "garbage", "quote": "'%20OR%201=1--", "unknown uuid": uuid.NewString(), "empty": "",
			"bob's claim": s.bobIDs[0], "long": strings.Repeat("f", 5000), "nul": "%00",
		} {
			p := getPage(t, e, s.alice, "/claims?next="+cursor, "")
			if p.status != http.StatusOK {
				t.Errorf("%s cursor: got %d, want 200 with the first page", name, p.status)
				continue
			}
			if got := listedIDs(p); !slices.Equal(got, newest) {
				t.Errorf("%s cursor: got %v, want the first page %v", name, got, newest)
			}
			if want := name != "empty"; strings.Contains(p.body, `id="cursor-reset"`) != want {
				t.Errorf("%s cursor: notice that the list starts over shown = %v, want %v", name, !want, want)
			}
		}
		// The API shares the cursor: another claimant's claim is no place to
		// start a claimant's page from.
		alice := e.login(t, "alice@example.com", testPassword).AccessToken
		if r := e.call(t, "GET", "/api/v1/claims?sort=-created_at&next="+s.bobIDs[0], nil, bearer(alice)...); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(r.body), `"next":"잘못된 커서입니다."`) {
			t.Errorf("API with Bob's claim as Alice's cursor: got %d %.300s, want 422 with next: 잘못된 커서입니다.", r.status, r.body)
		}
		if r := e.call(t, "GET", "/api/v1/claims?sort=bogus", nil, bearer(alice)...); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(r.body), `"sort":"정렬은 created_at, -created_at, amount, -amount 중 하나입니다."`) {
			t.Errorf("API with an unknown sort: got %d %.300s, want 422 naming the sorts", r.status, r.body)
		}
		r := e.call(t, "GET", "/api/v1/claims?sort=-created_at&limit=2&next="+s.aliceIDs[0], nil, bearer(alice)...)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), s.aliceIDs[1]) || !strings.Contains(string(r.body), s.aliceIDs[2]) {
			t.Errorf("API with Alice's own cursor: got %d %.300s, want her next two claims", r.status, r.body)
		}
	})
}

// TestClaimsListFirstLoad pins the product target: a claimant's page,
// with every stylesheet and script it references, is at most 150 KB on
// first load (no cache, no compression), however many claims they have.
func TestClaimsListFirstLoad(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		s := seedClaimLists(t, e, 200, 0)
		p := getPage(t, e, s.alice, "/claims", "")
		if p.status != http.StatusOK {
			t.Fatalf("GET /claims: got %d, want 200", p.status)
		}
		if n := len(listedIDs(p)); n != listPageSize {
			t.Fatalf("first page of 200 claims: got %d rows, want %d", n, listPageSize)
		}
		total := len(p.body)
		for _, m := range staticRef.FindAllStringSubmatch(p.body, -1) {
			a := getPage(t, e, s.alice, m[1], "")
			if a.status != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200", m[1], a.status)
			}
			total += len(a.body)
		}
		t.Logf("first load of /claims with 200 claims: %.1f KB (HTML %.1f KB)", float64(total)/1024, float64(len(p.body))/1024)
		if total > 150*1024 {
			t.Errorf("first load of /claims: got %d bytes (HTML %d), want at most %d", total, len(p.body), 150*1024)
		}
	})
}
