package store

import (
	"context"
	"fmt"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

// Two claims of different claimants share a signal when they share a
// payout account, their claimants a phone number or a business number, or
// they hold the same evidence file. Each of the four rules is written once,
// here, over fixed aliases, and read by the signal facts below and by
// Related:
//
//   - sameAccount: claim o is another claimant's on the account of a (a
//     claim, or a row with its payout_fingerprint and claimant_id);
//   - samePhone: user u is another user with the phone of user me;
//   - sameBusiness: profile o is another user's with the business number
//     of profile mine;
//   - sameEvidence: evidence o, of claim oc, is another claimant's copy of
//     evidence mine of claim p.
const (
	sameAccount  = `o.payout_fingerprint = a.payout_fingerprint AND a.payout_fingerprint <> '' AND o.claimant_id <> a.claimant_id`
	samePhone    = `u.phone = me.phone AND u.phone <> '' AND u.id <> me.id`
	sameBusiness = `o.business_number = mine.business_number AND mine.business_number IS NOT NULL AND o.user_id <> mine.user_id`
	sameEvidence = `o.sha256 = mine.sha256 AND o.id <> mine.id AND oc.id = o.claim_id AND oc.claimant_id <> p.claimant_id`
)

// The signal facts are found by one SQL definition, for one claim
// (SignalFacts) and for a page of claims (AutoCandidates): signalFactsCTEs
// follow a CTE named page (id, claimant_id, payout_fingerprint, client_ip,
// created_at), signalFactsColumns select the facts of each page row p, in
// the order of review.SignalFacts, and signalFactsJoins join what the
// columns read. Evidence is a range scan over the page's id span (ids are
// UUIDv7, so a page is one contiguous span); shared accounts are looked up
// once per distinct (account, claimant) pair with two range seeks each
// (other claimants below, then above, this one), phones and business
// numbers once per claimant. A phone counts when its other user has filed
// a claim; a business number whether or not.
const signalFactsCTEs = `span AS (SELECT (SELECT id FROM page ORDER BY id LIMIT 1) AS lo, (SELECT id FROM page ORDER BY id DESC LIMIT 1) AS hi),
ev AS MATERIALIZED (
  SELECT e.id, e.claim_id, e.kind, e.sha256 FROM evidence e, span
  WHERE e.claim_id >= span.lo AND e.claim_id <= span.hi AND e.claim_id IN (SELECT id FROM page)
), shared_ev AS (
  SELECT DISTINCT mine.claim_id FROM ev mine JOIN page p ON p.id = mine.claim_id, evidence o, claims oc
  WHERE ` + sameEvidence + `
), accounts AS (
  SELECT DISTINCT payout_fingerprint, claimant_id FROM page WHERE payout_fingerprint <> ''
), shared_account AS (
  SELECT a.payout_fingerprint, a.claimant_id FROM accounts a
  WHERE EXISTS (SELECT 1 FROM claims o WHERE ` + sameAccount + ` AND o.claimant_id < a.claimant_id)
     OR EXISTS (SELECT 1 FROM claims o WHERE ` + sameAccount + ` AND o.claimant_id > a.claimant_id)
), claimants AS (
  SELECT DISTINCT claimant_id FROM page
), shared_phone AS (
  SELECT c.claimant_id FROM claimants c JOIN users me ON me.id = c.claimant_id
  WHERE me.phone <> '' AND EXISTS (SELECT 1 FROM users u WHERE ` + samePhone + `
    AND EXISTS (SELECT 1 FROM claims oc WHERE oc.claimant_id = u.id))
), shared_business AS (
  SELECT c.claimant_id FROM claimants c
  WHERE EXISTS (SELECT 1 FROM claimant_profiles mine JOIN claimant_profiles o ON ` + sameBusiness + `
    WHERE mine.user_id = c.claimant_id)
)`

const signalFactsJoins = `
LEFT JOIN shared_ev se ON se.claim_id = p.id
LEFT JOIN shared_account sa ON sa.payout_fingerprint = p.payout_fingerprint AND sa.claimant_id = p.claimant_id
LEFT JOIN shared_phone sp ON sp.claimant_id = p.claimant_id
LEFT JOIN shared_business sb ON sb.claimant_id = p.claimant_id`

// signalFactsColumns selects the facts of page row p; the address's
// claimants are counted within window either side of p's filing. The
// window is written into the statement as a whole number of microseconds
// (PostgreSQL) or seconds with their fraction (SQLite, whose date functions
// read milliseconds).
func (db *DB) signalFactsColumns(window time.Duration) string {
	within := fmt.Sprintf(`o.created_at BETWEEN p.created_at - %[1]d * interval '1 microsecond' AND p.created_at + %[1]d * interval '1 microsecond'`,
		window.Microseconds())
	if db.dialect != Postgres {
		within = fmt.Sprintf(`unixepoch(o.created_at, 'subsec') BETWEEN unixepoch(p.created_at, 'subsec') - %[1]f AND unixepoch(p.created_at, 'subsec') + %[1]f`,
			window.Seconds())
	}
	return `sa.claimant_id IS NOT NULL, sp.claimant_id IS NOT NULL, sb.claimant_id IS NOT NULL, se.claim_id IS NOT NULL,
  CASE WHEN p.client_ip = '' THEN 0 ELSE (SELECT COUNT(DISTINCT o.claimant_id) FROM claims o
    WHERE o.client_ip = p.client_ip AND ` + within + `) END`
}

// SignalFacts finds the signal facts of stored claim c with the statement
// AutoCandidates runs for a page, over a page of one claim.
func (s ReviewStore) SignalFacts(ctx context.Context, c *models.Claim, burstWindow time.Duration) (review.SignalFacts, error) {
	var f review.SignalFacts
	q := `WITH page AS (SELECT id, claimant_id, payout_fingerprint, client_ip, created_at FROM claims WHERE id = ?), ` + signalFactsCTEs + `
SELECT ` + s.db.signalFactsColumns(burstWindow) + `
FROM page p` + signalFactsJoins
	row := s.g(ctx).Raw(q, c.ID).Row()
	if err := row.Scan(&f.SharedAccount, &f.SharedPhone, &f.SharedBusinessNumber, &f.SharedEvidence, &f.AddressClaimants); err != nil {
		return f, translate(err, "compute signals of claim "+c.Number)
	}
	return f, nil
}
