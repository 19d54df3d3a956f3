package store

import (
	"context"

	"github.com/bosang/bosang/models"
)

// A filing on PostgreSQL, and a page of automatic approvals (DecideMany),
// write their outbox messages without River jobs and mark them in
// outbox_unqueued (migration 00030): the claimant's statement then inserts
// two narrow rows instead of two river_job rows with their seven indexes,
// and the adjudication of a million claims none of River's. DispatchOutbox,
// run by every working jobs client, queues the marked messages' jobs in
// batches soon after. A mark does not reference its row (migration 00032:
// the key's check turned into a scan of the outbox); the dispatcher drops
// a mark whose message is gone. A mark carries its message's topic
// (migration 00033), so the dispatcher can leave the marks of a lane whose
// River queue is full (jobs.Config.LaneBacklog).

// Waker is a JobInserter that dispatches marked messages (DispatchOutbox)
// and wants to hear when a committed write left some, so it need not wait
// for its next tick.
type Waker interface {
	WakeDispatch()
}

// wakeDispatch tells db's JobInserter that marked messages were committed.
func (db *DB) wakeDispatch() {
	if w, ok := db.jobs.(Waker); ok {
		w.WakeDispatch()
	}
}

// DispatchOutbox queues the River jobs of up to limit marked messages
// through j and removes their marks, in one transaction, and returns how
// many it queued: the marks of the given topics, or of any topic when none
// is given. On PostgreSQL the marks are taken FOR UPDATE SKIP LOCKED:
// instances dispatching at once take different messages, and a message's
// mark and its job go (or stay) together, so each message gets exactly one
// job. The oldest marks are not promised to go first; every mark goes
// within a few batches while the dispatcher keeps up.
func (db *DB) DispatchOutbox(ctx context.Context, j JobInserter, limit int, topics ...string) (int, error) {
	var n int
	err := db.InTx(ctx, func(tx *DB) error {
		pick, args := `SELECT outbox_id FROM outbox_unqueued`, []any{}
		if len(topics) > 0 {
			pick, args = pick+` WHERE topic IN ?`, append(args, topics)
		}
		pick, args = pick+` LIMIT ?`, append(args, limit)
		if db.dialect == Postgres {
			pick += ` FOR UPDATE SKIP LOCKED`
		}
		var ids []string
		take := `DELETE FROM outbox_unqueued WHERE outbox_id IN (` + pick + `) RETURNING outbox_id`
		if err := tx.with(ctx).Raw(take, args...).Scan(&ids).Error; err != nil {
			return translate(err, "take unqueued messages")
		}
		if len(ids) == 0 {
			return nil
		}
		var msgs []models.OutboxMessage
		if err := tx.with(ctx).Where("id IN ?", ids).Order("created_at, id").Find(&msgs).Error; err != nil {
			return translate(err, "load unqueued messages")
		}
		n = len(msgs)
		return j.InsertOutboxJobs(ctx, tx.sqlTx(), msgs)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// MarkedTopics lists the distinct topics of the marked messages, in order.
// It reads one index entry per topic (a loose index scan), however many
// marks wait.
func (db *DB) MarkedTopics(ctx context.Context) ([]string, error) {
	var topics []string
	err := db.with(ctx).Raw(`WITH RECURSIVE t (topic) AS (
  SELECT min(topic) FROM outbox_unqueued
  UNION ALL
  SELECT (SELECT min(u.topic) FROM outbox_unqueued u WHERE u.topic > t.topic) FROM t WHERE t.topic IS NOT NULL
) SELECT topic FROM t WHERE topic IS NOT NULL`).Scan(&topics).Error
	return topics, translate(err, "list marked topics")
}

// TopicCount is how many marked messages one topic has.
type TopicCount struct {
	Topic string
	N     int64
}

// MarkCounts counts the marked messages by topic.
func (db *DB) MarkCounts(ctx context.Context) ([]TopicCount, error) {
	var out []TopicCount
	err := db.with(ctx).Raw(`SELECT topic, count(*) AS n FROM outbox_unqueued GROUP BY topic ORDER BY topic`).Scan(&out).Error
	return out, translate(err, "count marked messages")
}

// UnqueuedOutbox counts the messages waiting for DispatchOutbox.
func (db *DB) UnqueuedOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := db.with(ctx).Raw(`SELECT count(*) FROM outbox_unqueued`).Scan(&n).Error
	return n, translate(err, "count unqueued messages")
}
