package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// CreateClaim writes a filing in one transaction: the caller's inside InTx,
// else one of its own. On PostgreSQL the rows go in one statement of
// data-modifying CTEs (one round trip instead of one per row, no gorm
// reflection), and its outbox messages are marked for the dispatcher
// (DispatchOutbox) instead of getting their River jobs in that statement;
// on SQLite, which has no data-modifying CTEs, row by row through gorm,
// jobs included. The audit entry is the one the filing carries (f.Audit);
// without one nothing is written (audit.ErrMissing).
func (s ClaimStore) CreateClaim(ctx context.Context, f claims.Filing) error {
	if err := needAudit(f.Audit, "file claim "+f.Claim.ID); err != nil {
		return err
	}
	a := f.Audit
	if s.db.dialect == Postgres {
		if tx := s.db.sqlTx(); tx != nil || !takesKey(f) {
			return s.createClaimPG(ctx, tx, f, a)
		}
		return s.createClaimGrouped(ctx, f)
	}
	if s.db.sqlTx() == nil {
		return s.db.InTx(ctx, func(t *DB) error { return ClaimStore{t}.CreateClaim(ctx, f) })
	}
	return s.createClaimRows(ctx, f, a)
}

// takesKey tells whether f takes its idempotency key itself.
func takesKey(f claims.Filing) bool { return f.Answer != nil && f.Answer.RequestHash != "" }

// createClaimRows is the portable path: one gorm statement per row.
func (s ClaimStore) createClaimRows(ctx context.Context, f claims.Filing, a *models.AuditEntry) error {
	g := s.g(ctx)
	if takesKey(f) {
		k := f.Answer
		res := g.Exec(`INSERT INTO idempotency_keys (user_id, key, request_hash, state, response_status, response_body, created_at)
VALUES (?, ?, ?, 'done', ?, ?, ?) ON CONFLICT DO NOTHING`, k.UserID, k.Key, k.RequestHash, k.Status, k.Body, k.CreatedAt)
		if res.Error != nil {
			return translate(res.Error, "take idempotency key")
		}
		if res.RowsAffected == 0 {
			return claims.ErrKeyUsed
		}
	}
	for _, row := range []any{f.Claim, f.Estimate, f.Event} {
		if err := g.Create(row).Error; err != nil {
			return translate(err, "create claim")
		}
	}
	if err := s.db.enqueue(ctx, false, f.Outbox...); err != nil {
		return err
	}
	if err := s.db.Audit().AppendAudit(ctx, a); err != nil {
		return err
	}
	if k := f.Answer; k != nil && !takesKey(f) {
		return s.FinishKey(ctx, k.UserID, k.Key, k.Status, k.Body)
	}
	return nil
}

// createClaimPG writes the filing's rows with one statement: in tx, or
// without a transaction when tx is nil (a single statement is atomic).
// Committed, it wakes the dispatcher.
func (s ClaimStore) createClaimPG(ctx context.Context, tx *sql.Tx, f claims.Filing, a *models.AuditEntry) error {
	q, args := filingStatement(f, a)
	var exec interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	} = tx
	if tx == nil {
		pool, err := s.db.SQL()
		if err != nil {
			return err
		}
		exec = pool
	}
	res, err := exec.ExecContext(ctx, q, args...)
	if err != nil {
		return translate(s.db.translateDriver(err), "create claim")
	}
	if f.Answer != nil {
		if n, err := res.RowsAffected(); err != nil {
			return translate(err, "finish idempotency key")
		} else if n != 1 && takesKey(f) {
			return claims.ErrKeyUsed
		} else if n != 1 {
			return keyAnswered(f.Answer.Key)
		}
	}
	if tx == nil && len(f.Outbox) > 0 {
		s.db.wakeDispatch()
	}
	return nil
}

// filingStatement is the PostgreSQL statement that inserts the filing's
// rows and marks its outbox rows unqueued: every insert is a CTE, and the
// main statement finishes the idempotency key (its row count tells whether
// the key was still in flight) or, without one, inserts the audit entry.
// A filing that takes its key starts with the key's insert, which returns
// no row when the key exists; every other insert selects its row from it,
// so then nothing is written (the audit entry's count says so), and a
// concurrent filing under the key waits on its unique index first.
// Foreign keys are checked at the end of the statement, when the claim row
// is there.
func filingStatement(f claims.Filing, a *models.AuditEntry) (string, []any) {
	var b sqlBuilder
	k := f.Answer
	if takesKey(f) {
		// The first CTE, so the statement starts with it.
		b.WriteString("WITH k AS (")
		b.values(filingKeys.ins, [][]any{keyRow(k)})
		b.WriteString(" ON CONFLICT DO NOTHING RETURNING 1)")
		b.ctes, b.gate = 1, "k"
	}
	b.cte("claim", filingClaims.ins, claimRow(f.Claim))
	b.cte("estimate", filingEstimates.ins, estimateRow(f.Estimate))
	b.cte("event", filingEvents.ins, eventRow(f.Event))
	if len(f.Outbox) > 0 {
		rows := make([][]any, len(f.Outbox))
		marks := make([][]any, len(f.Outbox))
		for i, m := range f.Outbox {
			rows[i], marks[i] = outboxRow(m), markRow(m)
		}
		b.cte("outbox", filingOutbox.ins, rows...)
		b.cte("unqueued", filingMarks.ins, marks...)
	}
	if k == nil || takesKey(f) {
		// Taking the key, the audit entry's row count is the key's: 0 when
		// the key existed and nothing was written.
		b.main(filingAudit.ins, auditRow(a))
		return b.String(), b.args
	}
	b.cte("audit", filingAudit.ins, auditRow(a))
	b.main(`UPDATE idempotency_keys SET state = 'done', response_status = $`+b.next()+`, response_body = $`+b.next()+
		` WHERE user_id = $`+b.next()+` AND key = $`+b.next()+` AND state = 'in_flight'`, nil)
	b.args = append(b.args, k.Status, k.Body, k.UserID, k.Key)
	return b.String(), b.args
}

// filingTable is a table a filing writes: its columns with their
// PostgreSQL types, in the order of the row functions below, and its
// "INSERT INTO name (columns)".
type filingTable struct {
	cols []filingColumn
	ins  string
}

type filingColumn struct{ name, typ string }

// newFilingTable parses list ("name type, name type, ...") into name's table.
func newFilingTable(name, list string) filingTable {
	var t filingTable
	names := []string{}
	for _, c := range strings.Split(list, ",") {
		col, typ, _ := strings.Cut(strings.TrimSpace(c), " ")
		t.cols, names = append(t.cols, filingColumn{col, typ}), append(names, col)
	}
	t.ins = "INSERT INTO " + name + " (" + strings.Join(names, ", ") + ")"
	return t
}

// The tables a filing writes, with the columns their row functions fill.
var (
	filingKeys = newFilingTable("idempotency_keys", `user_id uuid, key text, request_hash text, state text,
  response_status integer, response_body text, created_at timestamptz`)
	filingClaims = newFilingTable("claims", `id uuid, number text, claimant_id uuid, outage_id uuid, category text,
  monetary boolean, description text, claimed_amount_krw bigint, details text, payout_bank text, payout_holder text,
  payout_number_sealed text, payout_key_id text, payout_number_masked text, status text, estimate_amount_krw bigint,
  policy_version integer, version integer, created_at timestamptz, updated_at timestamptz, leased_by uuid,
  lease_expires_at timestamptz, decided_by uuid, decided_at timestamptz, approved_amount_krw bigint,
  appealed_at timestamptz, supplement_due_at timestamptz, flags text, payout_fingerprint text, client_ip text`)
	filingEstimates = newFilingTable("claim_estimates", `id uuid, claim_id uuid, policy_version integer,
  amount_krw bigint, steps text, auto boolean, review_required boolean, review_reason text, extension_days bigint,
  in_kind text, in_kind_en text, reason text, created_at timestamptz, superseded_at timestamptz`)
	filingEvents = newFilingTable("claim_events", `id uuid, claim_id uuid, status text, actor_id uuid, note text,
  created_at timestamptz`)
	filingOutbox = newFilingTable("outbox", `id uuid, topic text, dedupe_id text, payload text, attempts integer,
  available_at timestamptz, leased_until timestamptz, delivered_at timestamptz, last_error text, created_at timestamptz,
  dead_at timestamptz`)
	filingMarks = newFilingTable("outbox_unqueued", `outbox_id uuid, topic text`)
	filingAudit = newFilingTable("audit_entries", `id uuid, at timestamptz, actor_id uuid, actor_role text, ip text,
  action text, entity text, entity_id text, subject_id uuid, details text, chain_pos bigint, prev_hash text, hash text,
  hash_alg text`)
)

func keyRow(k *claims.KeyAnswer) []any {
	return []any{k.UserID, k.Key, k.RequestHash, sqlLiteral("'done'"), k.Status, k.Body, k.CreatedAt}
}

func claimRow(c *models.Claim) []any {
	return []any{c.ID, c.Number, c.ClaimantID, c.OutageID, c.Category, c.Monetary, c.Description, c.ClaimedAmountKRW,
		c.Details, c.PayoutBank, c.PayoutHolder, c.PayoutNumberSealed, c.PayoutKeyID, c.PayoutNumberMasked, c.Status,
		c.EstimateAmountKRW, c.PolicyVersion, c.Version, c.CreatedAt, c.UpdatedAt, c.LeasedBy, c.LeaseExpiresAt,
		c.DecidedBy, c.DecidedAt, c.ApprovedAmountKRW, c.AppealedAt, c.SupplementDueAt, c.Flags, c.PayoutFingerprint,
		c.ClientIP}
}

func estimateRow(e *models.ClaimEstimate) []any {
	return []any{e.ID, e.ClaimID, e.PolicyVersion, e.AmountKRW, e.Steps, e.Auto, e.ReviewRequired, e.ReviewReason,
		e.ExtensionDays, e.InKind, e.InKindEN, e.Reason, e.CreatedAt, e.SupersededAt}
}

func eventRow(ev *models.ClaimEvent) []any {
	return []any{ev.ID, ev.ClaimID, ev.Status, ev.ActorID, ev.Note, ev.CreatedAt}
}

func outboxRow(m *models.OutboxMessage) []any {
	return []any{m.ID, m.Topic, m.DedupeID, m.Payload, m.Attempts, m.AvailableAt, m.LeasedUntil, m.DeliveredAt,
		m.LastError, m.CreatedAt, m.DeadAt}
}

func markRow(m *models.OutboxMessage) []any { return []any{m.ID, m.Topic} }

func auditRow(a *models.AuditEntry) []any {
	return []any{a.ID, a.At, a.ActorID, a.ActorRole, a.IP, a.Action, a.Entity, a.EntityID, a.SubjectID, a.Details,
		a.ChainPos, a.PrevHash, a.Hash, a.HashAlg}
}

// sqlLiteral is a constant written into a statement instead of a parameter.
type sqlLiteral string

// sqlBuilder writes a statement of CTEs with numbered placeholders.
type sqlBuilder struct {
	strings.Builder
	args  []any
	ctes  int
	param int
	// gate, when set, names a CTE every later insert selects its rows
	// from: they write nothing when it returns no row. A gated insert of
	// several rows is one CTE per row (a gated row is a SELECT, whose
	// parameters take their types from the insert's columns; a VALUES
	// list or UNION of SELECTs would type them text).
	gate string
}

func (b *sqlBuilder) next() string {
	b.param++
	return strconv.Itoa(b.param)
}

// cte adds "name AS (insert rows)" (gated: "nameN AS (...)" per row).
func (b *sqlBuilder) cte(name, insert string, rows ...[]any) {
	if b.gate != "" && len(rows) > 1 {
		for i, r := range rows {
			b.cte(name+strconv.Itoa(i), insert, r)
		}
		return
	}
	if b.ctes == 0 {
		b.WriteString("WITH ")
	} else {
		b.WriteString(",\n")
	}
	b.ctes++
	b.WriteString(name + " AS (")
	b.values(insert, rows)
	b.WriteString(")")
}

// main adds the main statement: insert with one row, or a full statement
// (row nil) whose parameters the caller numbers and appends.
func (b *sqlBuilder) main(stmt string, row []any) {
	b.WriteString("\n")
	if row == nil {
		b.WriteString(stmt)
		return
	}
	b.values(stmt, [][]any{row})
}

// values writes insert followed by its rows: VALUES and one tuple per
// row, or with a gate SELECT of the one row FROM the gate.
func (b *sqlBuilder) values(insert string, rows [][]any) {
	b.WriteString(insert)
	if b.gate != "" {
		b.WriteString(" SELECT ")
		b.list(rows[0])
		b.WriteString(" FROM " + b.gate)
		return
	}
	b.WriteString(" VALUES ")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		b.list(r)
		b.WriteString(")")
	}
}

// list writes a row's values, parameters but for literals.
func (b *sqlBuilder) list(r []any) {
	for j, v := range r {
		if j > 0 {
			b.WriteString(", ")
		}
		if lit, ok := v.(sqlLiteral); ok {
			b.WriteString(string(lit))
			continue
		}
		b.WriteString("$" + b.next())
		b.args = append(b.args, v)
	}
}

// translateDriver maps a driver error of a statement run outside gorm's
// callbacks onto gorm's errors (unique and foreign key violations), as
// gorm's TranslateError does for its own statements.
func (db *DB) translateDriver(err error) error {
	if t, ok := db.gorm.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}
