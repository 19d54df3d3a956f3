// Package jobs runs Bosang's background work on River
// (github.com/riverqueue/river), on PostgreSQL through riverdatabasesql and
// on the embedded SQLite through riversqlite, with one client type
// (*river.Client[*sql.Tx]) for both.
//
// The outbox stays the record the domain writes (store): every new row gets
// one River job in the same transaction (Client implements
// store.JobInserter), except a filing's on PostgreSQL, which marks its rows
// instead; the dispatcher of every working client queues their jobs in
// batches moments later, each exactly once (dispatch.go). A job runs in the
// lane of its topic, each lane its own River queue with its own workers:
// messages (e-mail, or the log), review (a filed claim's flags and
// automatic adjudication) and batch (re-pricing, outage fan-out); periodic
// jobs (Periodic) run in a fourth queue. A job loads its row, returns at
// once if it was delivered already (a River re-run), sends it and marks it
// delivered. After MaxAttempts failures River discards the job and the row
// is marked dead (dead_at, last_error).
//
// A running job is never taken by a second instance: every lane's timeout
// is well below RescueStuckJobsAfter, the only point at which River hands a
// running job to another client (after its process died).
package jobs
