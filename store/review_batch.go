package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

var _ review.BatchStore = ReviewStore{}

// SetBased reports whether the batch adjudication runs as set queries: on
// PostgreSQL (arrays, unnest, UPDATE ... FROM). SQLite keeps the per-claim
// path, which decides the same claims.
func (s ReviewStore) SetBased() bool { return s.db.dialect == Postgres }

// autoCandidatesSQL reads one page of submitted claims with their facts in
// one statement: the signal facts are those of SignalFacts (the same
// CTEs), worked out for the page as a whole; estimates are a range scan
// over the page's id span like its evidence. $1 after, $2 limit, $3 outage
// id or the empty string.
func (db *DB) autoCandidatesSQL(rules review.SignalRules) string {
	return `WITH page AS MATERIALIZED (
  SELECT id, number, claimant_id, category, monetary, payout_number_masked, estimate_amount_krw, policy_version,
         version, status, flags, payout_fingerprint, client_ip, created_at
  FROM claims
  WHERE status = 'submitted' AND id > $1::uuid AND ($3 = '' OR outage_id = NULLIF($3, '')::uuid)
  ORDER BY id LIMIT $2
), ` + signalFactsCTEs + `, kinds AS (
  SELECT claim_id, string_agg(DISTINCT kind, ',') AS kinds FROM ev GROUP BY claim_id
), est AS (
  SELECT DISTINCT ON (ce.claim_id) ce.claim_id, ce.auto, ce.review_required FROM claim_estimates ce, span
  WHERE ce.superseded_at IS NULL AND ce.claim_id >= span.lo AND ce.claim_id <= span.hi AND ce.claim_id IN (SELECT id FROM page)
  ORDER BY ce.claim_id, ce.created_at
)
SELECT p.id, p.number, p.claimant_id, p.category, p.monetary, p.payout_number_masked, p.estimate_amount_krw, p.policy_version,
  p.version, p.status, p.flags, ` + db.signalFactsColumns(rules) + `,
  est.claim_id IS NOT NULL, COALESCE(est.auto, false), COALESCE(est.review_required, false), COALESCE(k.kinds, '')
FROM page p
LEFT JOIN est ON est.claim_id = p.id
LEFT JOIN kinds k ON k.claim_id = p.id` + signalFactsJoins + `
ORDER BY p.id`
}

// AutoCandidates reads a page of submitted claims with their facts in one
// query.
func (s ReviewStore) AutoCandidates(ctx context.Context, outageID, after string, limit int, rules review.SignalRules) ([]review.AutoCandidate, error) {
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
		rows, err := pool.QueryContext(ctx, s.db.autoCandidatesSQL(rules), after, limit, outageID)
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
			a     review.AutoCandidate
			kinds string
		)
		c, f := &a.Claim, &a.Facts
		if err := rows.Scan(&c.ID, &c.Number, &c.ClaimantID, &c.Category, &c.Monetary, &c.PayoutNumberMasked, &c.EstimateAmountKRW,
			&c.PolicyVersion, &c.Version, &c.Status, &c.Flags, &f.SharedAccount, &f.SharedPhone, &f.SharedBusinessNumber, &f.SharedEvidence,
			&f.AddressClaimants, &a.HasEstimate, &a.Estimate.Auto, &a.Estimate.ReviewRequired, &kinds); err != nil {
			return nil, err
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
// then, for the claims it updated, the decisions, timeline events, outbox
// messages, audit entries (each approval's own, built by the review use
// case; audit.ErrMissing, and nothing written, when one lacks it) and the
// messages' marks for the dispatcher, which queues their River jobs
// (DispatchOutbox), each table by one COPY.
//
// It runs on a connection of its own through pgx, outside gorm: COPY
// streams the rows in small chunks, where one INSERT ... SELECT FROM
// unnest(...) per table built each page's parameters (megabytes) anew in a
// growing buffer. Under the adjudicate command's memory limit that churn
// cost more CPU than the rest of the run (issue 15, BENCHMARKS.md).
func (s ReviewStore) DecideMany(ctx context.Context, list []review.AutoApproval) (int, error) {
	if s.db.changed != nil {
		return 0, errors.New("store automatic approvals: DecideMany runs its own transaction, not inside InTx")
	}
	for _, a := range list {
		if err := needAudit(a.Audit, "decide claim "+a.Claim.ID); err != nil {
			return 0, err
		}
	}
	sqlDB, err := s.db.SQL()
	if err != nil {
		return 0, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return 0, translate(err, "store automatic approvals")
	}
	defer conn.Close()
	decided := 0
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("DecideMany needs a pgx connection, got %T", dc)
		}
		return pgx.BeginFunc(ctx, pc.Conn(), func(tx pgx.Tx) error {
			var err error
			decided, err = s.decideMany(ctx, tx, list)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store automatic approvals: %w", translate(err, "decide claims"))
	}
	if decided > 0 {
		s.db.wakeDispatch()
	}
	return decided, nil
}

// decideMany is DecideMany's transaction.
func (s ReviewStore) decideMany(ctx context.Context, tx pgx.Tx, list []review.AutoApproval) (int, error) {
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
	rows, err := tx.Query(ctx, `UPDATE claims c SET status = v.status, version = v.version, updated_at = v.updated_at,
  leased_by = NULL, lease_expires_at = NULL, decided_by = NULL, decided_at = v.decided_at, approved_amount_krw = v.amount
FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::bigint[], $6::timestamptz[], $7::timestamptz[])
  AS v(id, from_version, version, status, amount, updated_at, decided_at)
WHERE c.id = v.id AND c.version = v.from_version AND c.status = 'submitted'
RETURNING c.id::text`, ids, fromVersions, versions, statuses, amounts, updatedAt, decidedAt)
	if err != nil {
		return 0, err
	}
	doneIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	if len(doneIDs) == 0 {
		return 0, nil
	}
	done := make(map[string]bool, len(doneIDs))
	for _, id := range doneIDs {
		done[id] = true
	}
	page := make([]review.AutoApproval, 0, len(doneIDs))
	msgs := make([]models.OutboxMessage, 0, len(doneIDs))
	entries := make([]*models.AuditEntry, 0, len(doneIDs))
	for _, a := range list {
		if !done[a.Claim.ID] {
			continue
		}
		page = append(page, a)
		msgs = append(msgs, *a.Outbox)
		entries = append(entries, a.Audit)
	}
	copies := []tableCopy{
		{"decisions", []string{"id", "claim_id", "claim_version", "actor_id", "actor_role", "action", "from_status", "to_status",
			"amount_krw", "reason_code", "note", "due_at", "created_at"}, len(page), func(i int) []any {
			x := page[i].Decision
			return []any{pgUUID(x.ID), pgUUID(x.ClaimID), int64(x.ClaimVersion), pgUUIDPtr(x.ActorID), x.ActorRole, x.Action, x.FromStatus.String(), x.ToStatus.String(),
				x.AmountKRW, x.ReasonCode, x.Note, x.DueAt, x.CreatedAt}
		}},
		{"claim_events", []string{"id", "claim_id", "status", "actor_id", "note", "created_at"}, len(page), func(i int) []any {
			x := page[i].Event
			return []any{pgUUID(x.ID), pgUUID(x.ClaimID), x.Status.String(), pgUUIDPtr(x.ActorID), x.Note, x.CreatedAt}
		}},
		{"outbox", []string{"id", "topic", "dedupe_id", "payload", "available_at", "created_at"}, len(msgs), func(i int) []any {
			x := msgs[i]
			return []any{pgUUID(x.ID), x.Topic, x.DedupeID, x.Payload, x.AvailableAt, x.CreatedAt}
		}},
		{"audit_entries", []string{"id", "at", "actor_id", "actor_role", "ip", "action", "entity", "entity_id", "subject_id", "details"},
			len(entries), func(i int) []any {
				x := entries[i]
				return []any{pgUUID(x.ID), x.At, pgUUIDPtr(x.ActorID), x.ActorRole, x.IP, x.Action, x.Entity, x.EntityID, pgUUIDPtr(x.SubjectID), x.Details}
			}},
	}
	// The messages' jobs are the dispatcher's to queue (DispatchOutbox).
	copies = append(copies, tableCopy{"outbox_unqueued", []string{"outbox_id", "topic"}, len(msgs), func(i int) []any {
		return []any{pgUUID(msgs[i].ID), msgs[i].Topic}
	}})
	for _, c := range copies {
		rows := pgx.CopyFromSlice(c.n, func(i int) ([]any, error) { return c.row(i), nil })
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, rows); err != nil { // a bad id fails here, see pgUUID
			return 0, fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return len(page), nil
}

// tableCopy is one table's rows of a page, for COPY: n rows, row i's
// values in the order of cols.
type tableCopy struct {
	table string
	cols  []string
	n     int
	row   func(i int) []any
}

// pgUUID is id as pgx encodes a uuid column without a detour: a string
// first fails to encode, and the error it builds cost more than the row.
// An id that does not parse stays the string, so that COPY fails on it
// with pgx's parse error instead of writing NULL.
func pgUUID(id string) any {
	u, err := uuid.Parse(id)
	if err != nil {
		return id
	}
	return pgtype.UUID{Bytes: u, Valid: true}
}

// pgUUIDPtr is pgUUID of an optional id: NULL when nil.
func pgUUIDPtr(id *string) any {
	if id == nil {
		return pgtype.UUID{}
	}
	return pgUUID(*id)
}

// outboxCols holds outbox rows column by column, for INSERT ... SELECT
// FROM unnest.
type outboxCols struct {
	id, topic, dedupeID, payload []string
	availableAt, createdAt       []time.Time
}
