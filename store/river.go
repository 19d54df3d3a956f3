package store

import (
	"context"
	"time"

	"github.com/bosang/bosang/models"
)

// River's tables (migration 00018) are River's; store reads them only for
// what joins them with Bosang's own: the outbox sweep, queue metrics and
// the dispatcher's backlog per lane.

// liveJobStates are the River job states that will still run.
const liveJobStates = "'available', 'pending', 'retryable', 'running', 'scheduled'"

// OrphanMessage is an undelivered, not dead outbox message that no River
// job will run. HadJob reports that one did exist and was discarded or
// cancelled without marking the message (its process died on the last
// attempt, or an operator cancelled it); otherwise it never had one (written
// before migration 00018, or by a store without a JobInserter).
type OrphanMessage struct {
	models.OutboxMessage
	HadJob bool
}

// jobOf is the SQL condition that River job j is the job of outbox row o
// (on PostgreSQL it can use River's GIN index on args).
func (db *DB) jobOf() string {
	if db.dialect == SQLite {
		return `json_extract(j.args, '$.` + OutboxJobArg + `') = o.id`
	}
	return `j.args @> jsonb_build_object('` + OutboxJobArg + `', o.id::text)`
}

// hasLiveJob reports whether a River job of outbox message id will still
// run.
func (db *DB) hasLiveJob(ctx context.Context, id string) (bool, error) {
	var live bool
	err := db.with(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM outbox o JOIN river_job j ON `+db.jobOf()+
		` WHERE o.id = ? AND j.state IN (`+liveJobStates+`))`, id).Scan(&live).Error
	return live, translate(err, "find live job")
}

// OrphanOutbox lists up to limit orphan messages created before before,
// oldest first. A message marked for the dispatcher is none: its job is
// on its way (DispatchOutbox).
func (db *DB) OrphanOutbox(ctx context.Context, before time.Time, limit int) ([]OrphanMessage, error) {
	match := db.jobOf()
	q := `SELECT o.*, EXISTS (SELECT 1 FROM river_job j WHERE ` + match + ` AND j.state IN ('discarded', 'cancelled')) AS had_job
FROM outbox o
WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.created_at < ?
  AND NOT EXISTS (SELECT 1 FROM river_job j WHERE ` + match + ` AND j.state IN (` + liveJobStates + `))
  AND NOT EXISTS (SELECT 1 FROM outbox_unqueued u WHERE u.outbox_id = o.id)
ORDER BY o.created_at, o.id LIMIT ?`
	var out []OrphanMessage
	err := db.with(ctx).Raw(q, before.UTC(), limit).Scan(&out).Error
	return out, translate(err, "list orphan messages")
}

// JobCount is how many River jobs one queue holds in one state.
type JobCount struct {
	Queue string
	State string
	N     int64
}

// JobCounts counts River's jobs by queue and state, leaving out completed
// jobs (kept a while after they ran, they are no backlog).
func (db *DB) JobCounts(ctx context.Context) ([]JobCount, error) {
	var out []JobCount
	err := db.with(ctx).Raw(`SELECT queue, state, count(*) AS n FROM river_job
WHERE state IN (` + liveJobStates + `, 'discarded', 'cancelled') GROUP BY queue, state ORDER BY queue, state`).Scan(&out).Error
	return out, translate(err, "count jobs")
}

// AvailableJobs counts the jobs of queue that wait to run now, up to
// limit: enough to tell whether a lane holds its backlog, reading at most
// limit entries of River's fetch index.
func (db *DB) AvailableJobs(ctx context.Context, queue string, limit int) (int, error) {
	var n int
	err := db.with(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM river_job WHERE state = 'available' AND queue = ? LIMIT ?) j`,
		queue, limit).Scan(&n).Error
	return n, translate(err, "count available jobs")
}
