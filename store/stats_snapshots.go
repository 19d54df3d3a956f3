package store

import (
	"context"
	"time"

	"github.com/bosang/bosang/stats"
)

// statsSnapshotRow is one row of stats_snapshots.
type statsSnapshotRow struct {
	OutageID   string    `gorm:"column:outage_id;primaryKey"`
	Figures    string    `gorm:"column:figures"`
	ComputedAt time.Time `gorm:"column:computed_at"`
}

func (statsSnapshotRow) TableName() string { return "stats_snapshots" }

// Snapshot returns the stored snapshot of outageID ("" for all outages);
// none is apperr.ErrNotFound.
func (s StatsStore) Snapshot(ctx context.Context, outageID string) (*stats.Snapshot, error) {
	var r statsSnapshotRow
	if err := s.g(ctx).Where("outage_id = ?", outageID).Take(&r).Error; err != nil {
		return nil, translate(err, "find statistics snapshot")
	}
	return &stats.Snapshot{OutageID: r.OutageID, Figures: r.Figures, ComputedAt: r.ComputedAt.UTC()}, nil
}

// SaveSnapshot upserts the snapshot in one statement that keeps the stored
// row when it was computed at or after snap.ComputedAt, so that two
// instances refreshing at once leave the later figures.
func (s StatsStore) SaveSnapshot(ctx context.Context, snap stats.Snapshot) error {
	older := "stats_snapshots.computed_at < excluded.computed_at"
	if s.db.dialect == SQLite {
		older = "julianday(stats_snapshots.computed_at) < julianday(excluded.computed_at)"
	}
	err := s.g(ctx).Exec(`INSERT INTO stats_snapshots (outage_id, figures, computed_at) VALUES (?, ?, ?)
ON CONFLICT (outage_id) DO UPDATE SET figures = excluded.figures, computed_at = excluded.computed_at WHERE `+older,
		snap.OutageID, snap.Figures, snap.ComputedAt.UTC()).Error
	return translate(err, "store statistics snapshot")
}

// OutagesToRefresh lists, newest start first, the outages without a
// snapshot, ongoing, with a claim in a status outside settled, or whose
// record or a claim was updated no earlier than margin before the
// snapshot's computed_at. On PostgreSQL the last test is an index probe
// (claims_outage_updated_idx).
func (s StatsStore) OutagesToRefresh(ctx context.Context, settled []string, margin time.Duration) ([]string, error) {
	since := "s.computed_at - make_interval(secs => ?)"
	arg := any(margin.Seconds())
	changed := func(col string) string { return col + " >= " + since }
	if s.db.dialect == SQLite {
		arg = margin.Hours() / 24
		changed = func(col string) string { return "julianday(" + col + ") >= julianday(s.computed_at) - ?" }
	}
	q := `SELECT CAST(o.id AS text) AS id FROM outages o
LEFT JOIN stats_snapshots s ON s.outage_id = CAST(o.id AS text)
WHERE s.outage_id IS NULL OR o.ended_at IS NULL OR ` + changed("o.updated_at") + `
  OR EXISTS (SELECT 1 FROM claims c WHERE c.outage_id = o.id AND c.status NOT IN ?)
  OR EXISTS (SELECT 1 FROM claims c WHERE c.outage_id = o.id AND ` + changed("c.updated_at") + `)
  OR EXISTS (SELECT 1 FROM offers f WHERE f.outage_id = o.id AND (f.status = 'offered' OR ` + changed("f.updated_at") + `))
ORDER BY o.started_at DESC, o.id`
	var ids []string
	err := s.g(ctx).Raw(q, arg, settled, arg, arg).Scan(&ids).Error
	return ids, translate(err, "list outages to refresh statistics of")
}
