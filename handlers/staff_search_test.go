package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bosang/bosang/store"
)

// setStatus moves a claim straight to status (for paid and rejected claims
// a search must still find).
func setStatus(t *testing.T, db *store.DB, id, status string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.Exec(`UPDATE claims SET status = '` + status + `' WHERE id = '` + id + `'`); err != nil {
		t.Fatal(err)
	}
}

// searchNumbers runs a staff search and returns the claim numbers found.
func searchNumbers(t *testing.T, e *testEnv, token, query string) []string {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/claims?"+query, nil, bearer(token)...)
	if r.status != http.StatusOK {
		t.Fatalf("search %s: got %d %s, want 200", query, r.status, r.body)
	}
	var out []string
	for _, c := range r.json(t)["claims"].([]any) {
		out = append(out, c.(map[string]any)["number"].(string))
	}
	return out
}

// TestStaffSearchFindsAnyClaim: q finds a claim by its number, its
// claimant's name, phone (with or without hyphens), e-mail and business
// number, whatever its status (paid and rejected included); filters and
// sorting combine with it; operators still read no claim.
func TestStaffSearchFindsAnyClaim(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		r := e.call(t, "POST", "/api/v1/auth/register", map[string]string{"email": "Shop.Owner@example.com", "password": testPassword, "name": "김상점", "phone": "010-9876-5432"})
		if r.status != http.StatusCreated {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		shop := e.login(t, "shop.owner@example.com", testPassword).AccessToken
		profile := map[string]any{"business_number": "1208147521", "business_name": "판교 카페", "business_type": "카페",
			"opening_hours": map[string][]string{"mon": {"09:00", "21:00"}}}
		if r := e.call(t, "PUT", "/api/v1/me/profiles/merchant", profile, bearer(shop)...); r.status != http.StatusOK {
			t.Fatalf("merchant profile: %d %s", r.status, r.body)
		}
		shopClaim := f.file(t, shop, "s1", f.claimBody("driver", 20000)).json(t)
		aliceBody := f.claimBody("paid_subscriber", 0)
		aliceBody["details"] = map[string]any{"monthly_fee_krw": 10000}
		aliceClaim := f.file(t, f.alice, "a1", aliceBody).json(t)
		shopKRW, aliceKRW := estimateOf(shopClaim), estimateOf(aliceClaim)
		if shopKRW == aliceKRW {
			t.Fatalf("both estimates are %d: the amount filter needs two", shopKRW)
		}
		shopRange := fmt.Sprintf("min_krw=%d&max_krw=%d", shopKRW, shopKRW)
		shopNo, aliceNo := shopClaim["number"].(string), aliceClaim["number"].(string)
		setStatus(t, e.db, shopClaim["id"].(string), "paid")
		setStatus(t, e.db, aliceClaim["id"].(string), "rejected")

		for _, tc := range []struct{ name, query, want string }{
			{"claim number", "q=" + url.QueryEscape(shopNo), shopNo},
			{"claim number in lower case", "q=" + url.QueryEscape(strings.ToLower(shopNo)), shopNo},
			{"part of the name", "q=" + url.QueryEscape("상점"), shopNo},
			{"phone with hyphens", "q=" + url.QueryEscape("010-9876-5432"), shopNo},
			{"phone without hyphens", "q=98765432", shopNo},
			{"e-mail in another case", "q=" + url.QueryEscape("SHOP.OWNER@"), shopNo},
			{"business number with hyphens", "q=" + url.QueryEscape("120-81-47521"), shopNo},
			{"paid status", "status=paid", shopNo},
			{"rejected status with a query", "status=rejected&q=" + url.QueryEscape("010-1234"), aliceNo},
			{"amount range", "q=example.com&sort=-amount&" + shopRange, shopNo},
			{"category", "category=paid_subscriber&q=example.com", aliceNo},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := searchNumbers(t, e, f.reviewer, tc.query)
				if len(got) != 1 || got[0] != tc.want {
					t.Fatalf("got %v, want only %s", got, tc.want)
				}
			})
		}
		if got := searchNumbers(t, e, f.supervisor, "q=example.com&sort=-created_at"); !slices.Equal(got, []string{aliceNo, shopNo}) {
			t.Errorf("newest first: got %v, want %v", got, []string{aliceNo, shopNo})
		}
		if got := searchNumbers(t, e, f.reviewer, "q="+url.QueryEscape("%")); len(got) != 0 {
			t.Errorf("q=%% matched %v: a wildcard must match itself only", got)
		}
		page := e.call(t, "GET", "/api/v1/claims?q=example.com&limit=1", nil, bearer(f.reviewer)...).json(t)
		next, _ := page["next"].(string)
		if next == "" || len(searchNumbers(t, e, f.reviewer, "q=example.com&limit=1&next="+next)) != 1 {
			t.Errorf("paging: first page %v; want a next cursor leading to the second claim", page)
		}
		if r := e.call(t, "GET", "/api/v1/claims?q=x", nil, bearer(f.operator)...); r.status != http.StatusForbidden {
			t.Errorf("operator searching claims: got %d, want 403", r.status)
		}
		if got := searchNumbers(t, e, f.alice, "q="+url.QueryEscape("상점")); len(got) != 0 {
			t.Errorf("a claimant's search found %v: claimants see only their own claims", got)
		}
	})
}

func estimateOf(claim map[string]any) int64 {
	est, _ := claim["estimate"].(map[string]any)
	n, _ := est["amount_krw"].(float64)
	return int64(n)
}
