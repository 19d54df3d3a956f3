package store

import (
	"context"
	"fmt"

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
// once per distinct (account, claimant) pair with two index probes each
// (the nearest other claimant below, then above, this one: an ORDER BY
// with LIMIT, which the planner answers from the index even when most
// claims share the account, where EXISTS let it choose a scan of the
// table), phones and business
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
  WHERE (SELECT o.claimant_id FROM claims o WHERE ` + sameAccount + ` AND o.claimant_id < a.claimant_id
      ORDER BY o.claimant_id DESC LIMIT 1) IS NOT NULL
     OR (SELECT o.claimant_id FROM claims o WHERE ` + sameAccount + ` AND o.claimant_id > a.claimant_id
      ORDER BY o.claimant_id LIMIT 1) IS NOT NULL
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
// claimants are counted within rules.BurstWindow either side of p's
// filing, up to rules.AddressCap() (review.SignalFacts). The window is
// written into the statement as a whole number of microseconds
// (PostgreSQL) or seconds with their fraction (SQLite, whose date
// functions read milliseconds).
//
// On PostgreSQL the count stops at its cap: each step of a recursive
// query takes the first claim in the window whose claimant is not yet
// counted, so a review reads a handful of index entries where COUNT
// (DISTINCT) read every claim from the address in the window, and one
// address with thousands of filings in a burst made each review of them
// cost more than the filing (36 ms per review on `make bench`, where
// every claim comes from the load tool's one address). SQLite, sized for
// a trial, counts them all and caps the result.
func (db *DB) signalFactsColumns(rules review.SignalRules) string {
	limit := rules.AddressCap()
	if db.dialect != Postgres {
		within := fmt.Sprintf(`unixepoch(o.created_at, 'subsec') BETWEEN unixepoch(p.created_at, 'subsec') - %[1]f AND unixepoch(p.created_at, 'subsec') + %[1]f`,
			rules.BurstWindow.Seconds())
		return signalFlagColumns + fmt.Sprintf(`,
  CASE WHEN p.client_ip = '' THEN 0 ELSE MIN(%d, (SELECT COUNT(DISTINCT o.claimant_id) FROM claims o
    WHERE o.client_ip = p.client_ip AND `+within+`)) END`, limit)
	}
	within := fmt.Sprintf(`o.created_at BETWEEN p.created_at - %[1]d * interval '1 microsecond' AND p.created_at + %[1]d * interval '1 microsecond'`,
		rules.BurstWindow.Microseconds())
	return signalFlagColumns + fmt.Sprintf(`,
  CASE WHEN p.client_ip = '' THEN 0 ELSE (WITH RECURSIVE seen(ids) AS (
      SELECT ARRAY[]::uuid[]
      UNION ALL
      SELECT seen.ids || n.claimant_id FROM seen, LATERAL (SELECT o.claimant_id FROM claims o
        WHERE o.client_ip = p.client_ip AND `+within+` AND o.claimant_id <> ALL (seen.ids) LIMIT 1) n
      WHERE cardinality(seen.ids) < %d
    ) SELECT max(cardinality(ids)) FROM seen) END`, limit)
}

// signalFlagColumns are the four shared-signal facts of page row p.
const signalFlagColumns = `sa.claimant_id IS NOT NULL, sp.claimant_id IS NOT NULL, sb.claimant_id IS NOT NULL, se.claim_id IS NOT NULL`

// SignalFacts finds the signal facts of stored claim c with the statement
// AutoCandidates runs for a page, over a page of one claim.
func (s ReviewStore) SignalFacts(ctx context.Context, c *models.Claim, rules review.SignalRules) (review.SignalFacts, error) {
	var f review.SignalFacts
	q := `WITH page AS (SELECT id, claimant_id, payout_fingerprint, client_ip, created_at FROM claims WHERE id = ?), ` + signalFactsCTEs + `
SELECT ` + s.db.signalFactsColumns(rules) + `
FROM page p` + signalFactsJoins
	row := s.g(ctx).Raw(q, c.ID).Row()
	if err := row.Scan(&f.SharedAccount, &f.SharedPhone, &f.SharedBusinessNumber, &f.SharedEvidence, &f.AddressClaimants); err != nil {
		return f, translate(err, "compute signals of claim "+c.Number)
	}
	return f, nil
}
