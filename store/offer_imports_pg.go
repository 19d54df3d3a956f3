package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/bosang/bosang/models"
)

// insertOffersPG stores a chunk of offers in one INSERT ... SELECT FROM
// unnest (one array per column; a million rows in chunks of thousands),
// skipping taken (outage, account_ref) pairs, and returns the ids stored.
func insertOffersPG(ctx context.Context, db *DB, os []models.Offer) ([]string, error) {
	n := len(os)
	var (
		text   = make([][]string, 20)
		ints   = make([][]int64, 4)
		times  = make([][]time.Time, 3)
		column = func(i int) []string { return text[i] }
	)
	for i := range text {
		text[i] = make([]string, n)
	}
	for i := range ints {
		ints[i] = make([]int64, n)
	}
	for i := range times {
		times[i] = make([]time.Time, n)
	}
	for j, o := range os {
		for i, v := range []string{o.ID, o.OutageID, o.ImportID, o.AccountRef, o.Category, o.Name, o.Phone, o.Email,
			o.BusinessNumber, o.Settlement, o.Bank, o.Holder, o.AccountSealed, o.AccountKeyID, o.AccountMasked,
			o.InKind, o.InKindEN, o.Steps, o.Status, o.TokenHash} {
			text[i][j] = v
		}
		ints[0][j], ints[1][j], ints[2][j], ints[3][j] = o.MonthlyFeeKRW, o.AmountKRW, int64(o.ExtensionDays), int64(o.PolicyVersion)
		times[0][j], times[1][j], times[2][j] = o.ExpiresAt, o.CreatedAt, o.UpdatedAt
	}
	rows, err := db.with(ctx).Statement.ConnPool.QueryContext(ctx, `INSERT INTO offers (id, outage_id, import_id, account_ref,
  category, name, phone, email, business_number, settlement, bank, holder, account_sealed, account_key_id, account_masked,
  in_kind, in_kind_en, steps, status, token_hash, monthly_fee_krw, amount_krw, extension_days, policy_version,
  expires_at, created_at, updated_at, version)
SELECT v.*, 1 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
  $18::text[], $19::text[], $20::text[], $21::bigint[], $22::bigint[], $23::int[], $24::int[],
  $25::timestamptz[], $26::timestamptz[], $27::timestamptz[]) AS v
ON CONFLICT (outage_id, account_ref) DO NOTHING
RETURNING id::text`,
		column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), column(8), column(9),
		column(10), column(11), column(12), column(13), column(14), column(15), column(16), column(17), column(18), column(19),
		ints[0], ints[1], ints[2], ints[3], times[0], times[1], times[2])
	if err != nil {
		return nil, translate(err, "insert offers")
	}
	return scanIDs(rows, "insert offers")
}

// insertOutboxPG writes outbox messages in one INSERT ... SELECT FROM
// unnest, skipping taken dedupe ids, and returns those it wrote.
func insertOutboxPG(ctx context.Context, db *DB, msgs []models.OutboxMessage) ([]models.OutboxMessage, error) {
	var o outboxCols
	for i := range msgs {
		o.push(&msgs[i])
	}
	rows, err := db.with(ctx).Statement.ConnPool.QueryContext(ctx, `INSERT INTO outbox (id, topic, dedupe_id, payload, available_at, created_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
ON CONFLICT (dedupe_id) DO NOTHING
RETURNING id::text`, o.id, o.topic, o.dedupeID, o.payload, o.availableAt, o.createdAt)
	if err != nil {
		return nil, translate(err, "queue offer messages")
	}
	ids, err := scanIDs(rows, "queue offer messages")
	if err != nil {
		return nil, err
	}
	return pickByID(msgs, ids, func(m models.OutboxMessage) string { return m.ID }), nil
}

// push appends one message's columns.
func (o *outboxCols) push(m *models.OutboxMessage) {
	o.id, o.topic, o.dedupeID, o.payload = append(o.id, m.ID), append(o.topic, m.Topic), append(o.dedupeID, m.DedupeID), append(o.payload, m.Payload)
	o.availableAt, o.createdAt = append(o.availableAt, m.AvailableAt), append(o.createdAt, m.CreatedAt)
}

// scanIDs reads a RETURNING id column and closes rows.
func scanIDs(rows *sql.Rows, what string) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, what)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err(), what)
}
