package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/pii"
)

const sharedAccount, aloneAccount = "110-555-000111", "220-666-000222"

var itemStatus = regexp.MustCompile(`name="status_([0-9a-f-]{36})"`)

// seedSharedAccounts inserts approved claims straight into the database:
// 양지민 and 한서준, two claimants, paid into one account; 양지민's second
// claim into the same account (one claimant, no warning on its own); and
// 도윤 alone on another account.
func seedSharedAccounts(t *testing.T, pe *payoutEnv, outageID string) {
	t.Helper()
	sqlDB, err := pe.db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	const at = "'2024-01-01 00:00:00+00:00'"
	claimants := map[string]string{"양지민": uuid.NewString(), "한서준": uuid.NewString(), "도윤": uuid.NewString()}
	i := 0
	for name, id := range claimants {
		i++
		if _, err := sqlDB.Exec(fmt.Sprintf("INSERT INTO users (id, email, password_hash, name, role, created_at, updated_at) VALUES ('%s', 'shared%d@example.com', 'x', '%s', 'claimant', %s, %s)",
			id, i, name, at, at)); err != nil {
			t.Fatal(err)
		}
	}
	for n, c := range []struct{ holder, category, account string }{
		{"양지민", "driver", sharedAccount}, {"양지민", "merchant", sharedAccount}, {"한서준", "driver", sharedAccount}, {"도윤", "driver", aloneAccount},
	} {
		id := uuid.Must(uuid.NewV7()).String()
		sealed, keyID := pe.sealer.Seal(c.account, id)
		if _, err := sqlDB.Exec(fmt.Sprintf(`INSERT INTO claims (id, number, claimant_id, outage_id, category, monetary, description, claimed_amount_krw, details,
payout_bank, payout_holder, payout_number_sealed, payout_key_id, payout_number_masked, payout_fingerprint, status, estimate_amount_krw, policy_version,
version, created_at, updated_at, approved_amount_krw) VALUES ('%s', 'BS-S-%06d', '%s', '%s', '%s', TRUE, '피해', 0, '{}', '004', '%s', '%s', '%s', '%s', '%s',
'approved', 10000, 1, 2, %s, %s, %d)`, id, n+1, claimants[c.holder], outageID, c.category, c.holder, sealed, keyID, pii.MaskAccount(c.account),
			pe.sealer.Fingerprint(c.account), at, at, 1234500+n)); err != nil {
			t.Fatalf("seed claim %d: %v", n, err)
		}
	}
}

// TestPayoutBatchSharedAccountsAndConfirmation: the batch page warns about
// an account that two claimants would be paid into, naming their claims
// with masked holders; marking transfers paid needs the confirmation
// (nothing changes without it); the references made from a prefix that
// ends in a hyphen carry one hyphen; amounts sit in cells that never wrap.
func TestPayoutBatchSharedAccountsAndConfirmation(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		seedSharedAccounts(t, pe, f.outageID)
		s := loginStaff(t, e)
		stok := formToken(t, s.supervisor, e.srv.URL+"/payouts")
		r := postPage(t, e, s.supervisor, "/payouts", url.Values{"csrf_token": {stok}, "outage_id": {""}})
		m := batchURL.FindStringSubmatch(r.location)
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("build: got %d %s %s", r.status, r.location, r.body)
		}
		batch := m[1]
		p := getPage(t, e, s.supervisor, "/payouts/"+batch, "")
		if p.status != http.StatusOK {
			t.Fatalf("batch page: got %d", p.status)
		}
		warning := between(t, p.body, `id="shared-accounts"`, "</section>")
		for _, want := range []string{pii.MaskAccount(sharedAccount), "BS-S-000001</a> (양*민)", "BS-S-000002</a> (양*민)", "BS-S-000003</a> (한*준)"} {
			if !strings.Contains(warning, want) {
				t.Errorf("the shared-account warning lacks %q:\n%s", want, warning)
			}
		}
		for _, unwanted := range []string{"BS-S-000004", "양지민", "한서준", sharedAccount, pii.MaskAccount(aloneAccount)} {
			if strings.Contains(warning, unwanted) {
				t.Errorf("the shared-account warning shows %q (another account, or an unmasked value)", unwanted)
			}
		}
		if !strings.Contains(p.body, `<td class="nowrap">₩1,234,500</td>`) {
			t.Errorf("an item's amount is not in a cell that keeps it on one line")
		}
		if p := getPage(t, e, s.supervisor, "/payouts/"+batch, "en"); !strings.Contains(p.body, "Claimants sharing one account") {
			t.Errorf("the English batch page lacks the warning's heading")
		}

		// Without the confirmation: 422, the form says why, nothing paid.
		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "mode": {"all"}, "prefix": {"KB20221025-"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="settle-all-confirm-error"`) || !strings.Contains(r.body, "은행 결과를 확인했다고 표시하세요.") ||
			!strings.Contains(r.body, `value="KB20221025-"`) {
			t.Errorf("mark all paid unconfirmed: got %d, want 422 with the confirmation error and the prefix kept:\n%s", r.status, r.body)
		}
		ids := itemStatus.FindAllStringSubmatch(r.body, -1)
		if len(ids) != 4 {
			t.Fatalf("batch page: %d item forms, want 4", len(ids))
		}
		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "status_" + ids[0][1]: {"paid"}, "ref_" + ids[0][1]: {"REF-1"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="settle-confirm-error"`) {
			t.Errorf("settle one item unconfirmed: got %d, want 422 with the confirmation error", r.status)
		}
		if got := countWhere(t, pe.db, "SELECT count(*) FROM payout_items WHERE status <> 'pending'"); got != 0 {
			t.Fatalf("%d items settled without the confirmation, want 0", got)
		}

		r = postPage(t, e, s.supervisor, "/payouts/"+batch+"/paid", url.Values{"csrf_token": {stok}, "mode": {"all"}, "prefix": {"KB20221025-"}, "confirm": {"yes"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("mark all paid confirmed: got %d %s", r.status, r.body)
		}
		if got := countWhere(t, pe.db, "SELECT count(*) FROM payout_items WHERE reference = 'KB20221025-BS-S-000001'"); got != 1 {
			t.Errorf("items referenced KB20221025-BS-S-000001: %d, want 1", got)
		}
		if got := countWhere(t, pe.db, "SELECT count(*) FROM payout_items WHERE reference LIKE '%--%'"); got != 0 {
			t.Errorf("%d references with a double hyphen, want 0", got)
		}
	})
}

// between returns the part of s from the first from up to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q in:\n%s", from, s)
	}
	rest := s[i:]
	if j := strings.Index(rest, to); j >= 0 {
		return rest[:j]
	}
	return rest
}
