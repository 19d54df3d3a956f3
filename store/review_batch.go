package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

var _ review.BatchStore = ReviewStore{}

// SetBased reports whether the batch adjudication runs as set queries: on
// PostgreSQL (arrays, unnest, UPDATE ... FROM). SQLite keeps the per-claim
// path, which decides the same claims.
func (s ReviewStore) SetBased() bool { return s.db.dialect == Postgres }

// autoCandidatesSQL reads one page of submitted claims with their facts in
// one statement. The signals are exactly the conditions of Signals, worked
// out for the page as a whole: estimates and evidence are range scans over
// the page's id span (ids are UUIDv7, so a page is one contiguous span),
// shared accounts are looked up once per distinct (account, claimant) pair
// with two range seeks each, phones and business numbers once per claimant.
// $1 after, $2 limit, $3 burst window in seconds, $4 burst count, $5 outage
// id or ”.
const autoCandidatesSQL = `WITH page AS MATERIALIZED (
  SELECT id, number, claimant_id, category, monetary, payout_number_masked, estimate_amount_krw, policy_version,
         version, status, flags, payout_fingerprint, client_ip, created_at
  FROM claims
  WHERE status = 'submitted' AND id > $1::uuid AND ($5 = '' OR outage_id = NULLIF($5, '')::uuid)
  ORDER BY id LIMIT $2
), span AS (SELECT id AS hi FROM page ORDER BY id DESC LIMIT 1),
ev AS MATERIALIZED (
  SELECT e.id, e.claim_id, e.kind, e.sha256 FROM evidence e, span
  WHERE e.claim_id > $1::uuid AND e.claim_id <= span.hi AND e.claim_id IN (SELECT id FROM page)
), kinds AS (
  SELECT claim_id, string_agg(DISTINCT kind, ',') AS kinds FROM ev GROUP BY claim_id
), shared_ev AS (
  SELECT DISTINCT mine.claim_id FROM ev mine
  JOIN evidence o ON o.sha256 = mine.sha256 AND o.id <> mine.id
  JOIN claims oc ON oc.id = o.claim_id
  JOIN page p ON p.id = mine.claim_id
  WHERE oc.claimant_id <> p.claimant_id
), est AS (
  SELECT DISTINCT ON (ce.claim_id) ce.claim_id, ce.auto, ce.review_required FROM claim_estimates ce, span
  WHERE ce.superseded_at IS NULL AND ce.claim_id > $1::uuid AND ce.claim_id <= span.hi AND ce.claim_id IN (SELECT id FROM page)
  ORDER BY ce.claim_id, ce.created_at
), accounts AS (
  SELECT DISTINCT payout_fingerprint, claimant_id FROM page WHERE payout_fingerprint <> ''
), shared_account AS (
  SELECT a.payout_fingerprint, a.claimant_id FROM accounts a
  WHERE EXISTS (SELECT 1 FROM claims o WHERE o.payout_fingerprint = a.payout_fingerprint AND o.claimant_id < a.claimant_id)
     OR EXISTS (SELECT 1 FROM claims o WHERE o.payout_fingerprint = a.payout_fingerprint AND o.claimant_id > a.claimant_id)
), claimants AS (
  SELECT DISTINCT claimant_id FROM page
), shared_phone AS (
  SELECT c.claimant_id FROM claimants c JOIN users me ON me.id = c.claimant_id
  WHERE me.phone <> '' AND EXISTS (SELECT 1 FROM users u WHERE u.phone = me.phone AND u.phone <> '' AND u.id <> me.id
    AND EXISTS (SELECT 1 FROM claims oc WHERE oc.claimant_id = u.id))
), shared_business AS (
  SELECT c.claimant_id FROM claimants c
  WHERE EXISTS (SELECT 1 FROM claimant_profiles mine JOIN claimant_profiles o ON o.business_number = mine.business_number
    WHERE mine.user_id = c.claimant_id AND mine.business_number IS NOT NULL AND o.user_id <> c.claimant_id)
)
SELECT p.id, p.number, p.claimant_id, p.category, p.monetary, p.payout_number_masked, p.estimate_amount_krw, p.policy_version,
  p.version, p.status, p.flags,
  sa.claimant_id IS NOT NULL, sp.claimant_id IS NOT NULL, sb.claimant_id IS NOT NULL, se.claim_id IS NOT NULL,
  (p.client_ip <> '' AND (SELECT COUNT(DISTINCT o.claimant_id) FROM claims o
     WHERE o.client_ip = p.client_ip
       AND o.created_at BETWEEN p.created_at - $3 * interval '1 second' AND p.created_at + $3 * interval '1 second') > $4),
  est.claim_id IS NOT NULL, COALESCE(est.auto, false), COALESCE(est.review_required, false), COALESCE(k.kinds, '')
FROM page p
LEFT JOIN est ON est.claim_id = p.id
LEFT JOIN kinds k ON k.claim_id = p.id
LEFT JOIN shared_ev se ON se.claim_id = p.id
LEFT JOIN shared_account sa ON sa.payout_fingerprint = p.payout_fingerprint AND sa.claimant_id = p.claimant_id
LEFT JOIN shared_phone sp ON sp.claimant_id = p.claimant_id
LEFT JOIN shared_business sb ON sb.claimant_id = p.claimant_id
ORDER BY p.id`

// AutoCandidates reads a page of submitted claims with their facts in one
// query.
func (s ReviewStore) AutoCandidates(ctx context.Context, outageID, after string, limit int, burstWindow time.Duration, burstCount int) ([]review.AutoCandidate, error) {
	if after == "" {
		after = uuid.Nil.String()
	}
	out := make([]review.AutoCandidate, 0, limit)
	// One read-only transaction, for SET LOCAL: the plan's estimated cost
	// (a probe per claim and signal) would otherwise trigger JIT
	// compilation, which costs more than the query itself.
	err := s.db.InTx(ctx, func(tx *DB) error {
		pool := tx.with(ctx).Statement.ConnPool
		if _, err := pool.ExecContext(ctx, "SET LOCAL jit = off"); err != nil {
			return err
		}
		rows, err := pool.QueryContext(ctx, autoCandidatesSQL, after, limit, burstWindow.Seconds(), burstCount, outageID)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = scanCandidates(rows, out)
		return err
	})
	return out, translate(err, "read adjudication page")
}

func scanCandidates(rows *sql.Rows, out []review.AutoCandidate) ([]review.AutoCandidate, error) {
	for rows.Next() {
		var (
			a                              review.AutoCandidate
			account, phone, biz, ev, burst bool
			kinds                          string
		)
		c := &a.Claim
		if err := rows.Scan(&c.ID, &c.Number, &c.ClaimantID, &c.Category, &c.Monetary, &c.PayoutNumberMasked, &c.EstimateAmountKRW,
			&c.PolicyVersion, &c.Version, &c.Status, &c.Flags, &account, &phone, &biz, &ev, &burst,
			&a.HasEstimate, &a.Estimate.Auto, &a.Estimate.ReviewRequired, &kinds); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{account, review.FlagSharedAccount}, {phone, review.FlagSharedPhone}, {biz, review.FlagSharedBusinessNumber},
			{ev, review.FlagSharedEvidence}, {burst, review.FlagBurst}} {
			if f.on {
				a.Flags = append(a.Flags, f.name)
			}
		}
		if kinds != "" {
			a.Kinds = strings.Split(kinds, ",")
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetFlagsMany stores many claims' flags in one statement.
func (s ReviewStore) SetFlagsMany(ctx context.Context, flags map[string]string) error {
	ids := make([]string, 0, len(flags))
	values := make([]string, 0, len(flags))
	for id, f := range flags {
		ids, values = append(ids, id), append(values, f)
	}
	_, err := s.g(ctx).Statement.ConnPool.ExecContext(ctx,
		`UPDATE claims SET flags = v.flags FROM unnest($1::uuid[], $2::text[]) AS v(id, flags) WHERE claims.id = v.id`, ids, values)
	return translate(err, "set flags")
}

// DecideMany stores a page of automatic approvals in one transaction: one
// UPDATE ... FROM unnest(...) guarded by each claim's version and status,
// then one multi-row INSERT each for the decisions, timeline events,
// outbox messages, audit entries and River jobs of the claims it updated.
func (s ReviewStore) DecideMany(ctx context.Context, list []review.AutoApproval) (int, error) {
	decided := 0
	err := s.db.InTx(ctx, func(tx *DB) error {
		pool := tx.with(ctx).Statement.ConnPool
		var (
			ids, statuses          []string
			fromVersions, versions []int64
			amounts                []int64
			decidedAt, updatedAt   []time.Time
		)
		for _, a := range list {
			c := a.Claim
			ids = append(ids, c.ID)
			statuses = append(statuses, string(c.Status))
			fromVersions = append(fromVersions, int64(a.Decision.ClaimVersion))
			versions = append(versions, int64(c.Version))
			amounts = append(amounts, c.ApprovedAmountKRW)
			updatedAt = append(updatedAt, c.UpdatedAt)
			at := c.UpdatedAt
			if c.DecidedAt != nil {
				at = *c.DecidedAt
			}
			decidedAt = append(decidedAt, at)
		}
		rows, err := pool.QueryContext(ctx, `UPDATE claims c SET status = v.status, version = v.version, updated_at = v.updated_at,
  leased_by = NULL, lease_expires_at = NULL, decided_by = NULL, decided_at = v.decided_at, approved_amount_krw = v.amount
FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::bigint[], $6::timestamptz[], $7::timestamptz[])
  AS v(id, from_version, version, status, amount, updated_at, decided_at)
WHERE c.id = v.id AND c.version = v.from_version AND c.status = 'submitted'
RETURNING c.id::text`, ids, fromVersions, versions, statuses, amounts, updatedAt, decidedAt)
		if err != nil {
			return translate(err, "decide claims")
		}
		done := make(map[string]bool, len(list))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return translate(err, "decide claims")
			}
			done[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return translate(err, "decide claims")
		}
		decided = len(done)
		if decided == 0 {
			return nil
		}
		var d decisionCols
		var e eventCols
		var o outboxCols
		var au auditCols
		var msgs []models.OutboxMessage
		for _, a := range list {
			if !done[a.Claim.ID] {
				continue
			}
			d.add(a)
			e.add(a)
			o.add(a)
			msgs = append(msgs, *a.Outbox)
			r := audit.Record{Action: "claim.decide", Entity: audit.EntityClaim, EntityID: a.Claim.ID, SubjectID: a.Claim.ClaimantID,
				Details: map[string]any{"decision_id": a.Decision.ID, "action": a.Decision.Action, "from": a.Decision.FromStatus,
					"to": a.Decision.ToStatus, "amount_krw": a.Decision.AmountKRW, "reason_code": a.Decision.ReasonCode,
					"claim_version": a.Decision.ClaimVersion}}
			entry, err := tx.auditEntry(ctx, a.Decision.CreatedAt, r)
			if err != nil {
				return err
			}
			au.id = append(au.id, entry.ID)
			au.at = append(au.at, entry.At)
			au.actorID = append(au.actorID, entry.ActorID)
			au.actorRole = append(au.actorRole, entry.ActorRole)
			au.ip = append(au.ip, entry.IP)
			au.action = append(au.action, entry.Action)
			au.entity = append(au.entity, entry.Entity)
			au.entityID = append(au.entityID, entry.EntityID)
			au.subjectID = append(au.subjectID, entry.SubjectID)
			au.details = append(au.details, entry.Details)
		}
		stmts := []struct {
			what string
			sql  string
			args []any
		}{
			{"record decisions", `INSERT INTO decisions (id, claim_id, claim_version, actor_id, actor_role, action, from_status, to_status,
  amount_krw, reason_code, note, due_at, created_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::bigint[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[])`,
				[]any{d.id, d.claimID, d.version, d.actorID, d.actorRole, d.action, d.from, d.to, d.amount, d.reason, d.note, d.dueAt, d.createdAt}},
			{"record claim events", `INSERT INTO claim_events (id, claim_id, status, actor_id, note, created_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[])`,
				[]any{e.id, e.claimID, e.status, e.actorID, e.note, e.createdAt}},
			{"queue notifications", `INSERT INTO outbox (id, topic, dedupe_id, payload, available_at, created_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])`,
				[]any{o.id, o.topic, o.dedupeID, o.payload, o.availableAt, o.createdAt}},
			{"append audit entries", `INSERT INTO audit_entries (id, at, actor_id, actor_role, ip, action, entity, entity_id, subject_id, details)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::uuid[], $10::text[])`,
				[]any{au.id, au.at, au.actorID, au.actorRole, au.ip, au.action, au.entity, au.entityID, au.subjectID, au.details}},
		}
		for _, st := range stmts {
			if _, err := pool.ExecContext(ctx, st.sql, st.args...); err != nil {
				return translate(err, st.what)
			}
		}
		sqlTx, _ := pool.(*sql.Tx)
		return tx.queueJobRows(ctx, sqlTx, msgs)
	})
	if err != nil {
		return 0, fmt.Errorf("store automatic approvals: %w", err)
	}
	return decided, nil
}

// decisionCols, eventCols, outboxCols and auditCols hold one page's rows
// column by column, for INSERT ... SELECT FROM unnest.
type decisionCols struct {
	id, claimID, actorRole, action, from, to, reason, note []string
	actorID                                                []*string
	version, amount                                        []int64
	dueAt                                                  []*time.Time
	createdAt                                              []time.Time
}

func (d *decisionCols) add(a review.AutoApproval) {
	x := a.Decision
	d.id, d.claimID, d.actorID = append(d.id, x.ID), append(d.claimID, x.ClaimID), append(d.actorID, x.ActorID)
	d.version, d.actorRole, d.action = append(d.version, int64(x.ClaimVersion)), append(d.actorRole, x.ActorRole), append(d.action, x.Action)
	d.from, d.to, d.amount = append(d.from, x.FromStatus), append(d.to, x.ToStatus), append(d.amount, x.AmountKRW)
	d.reason, d.note, d.dueAt, d.createdAt = append(d.reason, x.ReasonCode), append(d.note, x.Note), append(d.dueAt, x.DueAt), append(d.createdAt, x.CreatedAt)
}

type eventCols struct {
	id, claimID, status, note []string
	actorID                   []*string
	createdAt                 []time.Time
}

func (e *eventCols) add(a review.AutoApproval) {
	x := a.Event
	e.id, e.claimID, e.status, e.note = append(e.id, x.ID), append(e.claimID, x.ClaimID), append(e.status, x.Status), append(e.note, x.Note)
	e.actorID, e.createdAt = append(e.actorID, x.ActorID), append(e.createdAt, x.CreatedAt)
}

type outboxCols struct {
	id, topic, dedupeID, payload []string
	availableAt, createdAt       []time.Time
}

func (o *outboxCols) add(a review.AutoApproval) { o.push(a.Outbox) }

type auditCols struct {
	id, actorRole, ip, action, entity, entityID, details []string
	actorID, subjectID                                   []*string
	at                                                   []time.Time
}
