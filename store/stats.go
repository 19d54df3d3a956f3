package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/stats"
)

// StatsStore implements stats.Store with aggregate queries: rows come back
// per group, never per claim (except the one or two percentile rows).
type StatsStore struct{ db *DB }

// Stats returns the statistics store.
func (db *DB) Stats() StatsStore { return StatsStore{db} }

var _ stats.Store = StatsStore{}

func (s StatsStore) g(ctx context.Context) *gorm.DB { return s.db.with(ctx) }

// OutageExists reports whether the outage exists.
func (s StatsStore) OutageExists(ctx context.Context, outageID string) (bool, error) {
	if !validUUID(outageID) {
		return false, nil
	}
	var n int64
	err := s.g(ctx).Raw("SELECT COUNT(*) FROM outages WHERE id = ?", outageID).Scan(&n).Error
	return n > 0, translate(err, "find outage")
}

// outageWhere is the claims filter for outageID ("" for all), on alias c.
func outageWhere(outageID string) (string, []any) {
	if outageID == "" {
		return "", nil
	}
	return " AND c.outage_id = ?", []any{outageID}
}

// sqlList renders constant strings as a SQL list literal; only for the
// package's own status names, never for input.
func sqlList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return "(" + strings.Join(q, ",") + ")"
}

type statsGroupRow struct {
	Status         string `gorm:"column:status"`
	Category       string `gorm:"column:category"`
	Monetary       bool   `gorm:"column:monetary"`
	PaidService    bool   `gorm:"column:paid_service"`
	Claims         int64  `gorm:"column:claims"`
	RequestedKRW   int64  `gorm:"column:requested_krw"`
	EstimatedKRW   int64  `gorm:"column:estimated_krw"`
	ApprovedKRW    int64  `gorm:"column:approved_krw"`
	PaidKRW        int64  `gorm:"column:paid_krw"`
	OutstandingKRW int64  `gorm:"column:outstanding_krw"`
}

// Groups aggregates the claims in one pass, grouped by status, category,
// monetary and the service's paid flag, with each claim's paid payout items
// summed first so that a claim paid in parts counts once.
func (s StatsStore) Groups(ctx context.Context, outageID string) ([]stats.Group, error) {
	where, args := outageWhere(outageID)
	paidWhere := ""
	if outageID != "" {
		paidWhere = " AND claim_id IN (SELECT id FROM claims WHERE outage_id = ?)"
		args = append([]any{outageID}, args...)
	}
	approved, payable := sqlList(stats.ApprovedStatuses), sqlList(stats.PayableStatuses)
	q := `SELECT c.status AS status, c.category AS category, c.monetary AS monetary, s.paid AS paid_service,
  COUNT(*) AS claims,
  CAST(COALESCE(SUM(c.claimed_amount_krw), 0) AS bigint) AS requested_krw,
  CAST(COALESCE(SUM(c.estimate_amount_krw), 0) AS bigint) AS estimated_krw,
  CAST(COALESCE(SUM(CASE WHEN c.status IN ` + approved + ` THEN c.approved_amount_krw ELSE 0 END), 0) AS bigint) AS approved_krw,
  CAST(COALESCE(SUM(p.paid_krw), 0) AS bigint) AS paid_krw,
  CAST(COALESCE(SUM(CASE WHEN c.status IN ` + payable + ` AND c.approved_amount_krw > COALESCE(p.paid_krw, 0)
    THEN c.approved_amount_krw - COALESCE(p.paid_krw, 0) ELSE 0 END), 0) AS bigint) AS outstanding_krw
FROM claims c
JOIN outages o ON o.id = c.outage_id
JOIN services s ON s.id = o.service_id
LEFT JOIN (SELECT claim_id, SUM(amount_krw) AS paid_krw FROM payout_items WHERE status = 'paid'` + paidWhere + `
  GROUP BY claim_id) p ON p.claim_id = c.id
WHERE 1 = 1` + where + `
GROUP BY c.status, c.category, c.monetary, s.paid`
	var rows []statsGroupRow
	if err := s.g(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "claim statistics")
	}
	out := make([]stats.Group, len(rows))
	for i, r := range rows {
		out[i] = stats.Group(r)
	}
	return out, nil
}

// decisionSeconds is decided_at − created_at in whole seconds.
func (s StatsStore) decisionSeconds() string {
	if s.db.dialect == Postgres {
		return "CAST(ROUND(EXTRACT(EPOCH FROM (c.decided_at - c.created_at))) AS bigint)"
	}
	return "CAST(ROUND((julianday(c.decided_at) - julianday(c.created_at)) * 86400) AS INTEGER)"
}

func decidedWhere(outageID string) (string, []any) {
	where, args := outageWhere(outageID)
	return "c.decided_at IS NOT NULL AND c.status IN " + sqlList(stats.DecidedStatuses) + where, args
}

// DecisionCount counts claims with a final decision.
func (s StatsStore) DecisionCount(ctx context.Context, outageID string) (int64, error) {
	where, args := decidedWhere(outageID)
	var n int64
	err := s.g(ctx).Raw("SELECT COUNT(*) FROM claims c WHERE "+where, args...).Scan(&n).Error
	return n, translate(err, "count decisions")
}

// DecisionSeconds lists decision times in seconds, ascending, from offset.
func (s StatsStore) DecisionSeconds(ctx context.Context, outageID string, offset, limit int64) ([]int64, error) {
	where, args := decidedWhere(outageID)
	var out []int64
	err := s.g(ctx).Raw("SELECT "+s.decisionSeconds()+" AS secs FROM claims c WHERE "+where+
		" ORDER BY secs LIMIT ? OFFSET ?", append(args, limit, offset)...).Scan(&out).Error
	return out, translate(err, "decision times")
}

// Backlog counts open claims per age bucket in one grouped query; the
// bucket of a claim is decided by comparing created_at with now minus each
// bound, so no date arithmetic runs in SQL.
func (s StatsStore) Backlog(ctx context.Context, outageID string, now time.Time, buckets []stats.Bucket) (map[string]int64, error) {
	var cases strings.Builder
	var args []any
	cases.WriteString("CASE")
	for i, b := range buckets {
		if b.To == 0 {
			continue
		}
		// Younger than b.To (and, by the order, at least the earlier bounds).
		cases.WriteString(" WHEN c.created_at > ? THEN " + strconv.Itoa(i))
		args = append(args, now.Add(-b.To).UTC())
	}
	last := len(buckets) - 1
	for i, b := range buckets {
		if b.To == 0 {
			last = i
		}
	}
	cases.WriteString(" ELSE " + strconv.Itoa(last) + " END")
	where, wargs := outageWhere(outageID)
	args = append(args, wargs...)
	type row struct {
		Bucket int   `gorm:"column:bucket"`
		N      int64 `gorm:"column:n"`
	}
	var rows []row
	err := s.g(ctx).Raw("SELECT "+cases.String()+" AS bucket, COUNT(*) AS n FROM claims c WHERE c.status IN "+
		sqlList(stats.OpenStatuses)+where+" GROUP BY 1", args...).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "claim backlog")
	}
	out := make(map[string]int64, len(buckets))
	for _, b := range buckets {
		out[b.Key] = 0
	}
	for _, r := range rows {
		if r.Bucket >= 0 && r.Bucket < len(buckets) {
			out[buckets[r.Bucket].Key] += r.N
		}
	}
	return out, nil
}

// Ledger counts the offers of outageID by status (offers.LedgerStore).
func (s StatsStore) Ledger(ctx context.Context, outageID string) ([]offers.LedgerGroup, error) {
	return s.db.Offers().Ledger(ctx, outageID)
}

// TakeUp counts the offers taken up per day (offers.LedgerStore).
func (s StatsStore) TakeUp(ctx context.Context, outageID string) ([]offers.TakeUpDay, error) {
	return s.db.Offers().TakeUp(ctx, outageID)
}
