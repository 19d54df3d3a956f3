-- +goose Up
-- A mark of outbox_unqueued no longer references its outbox row (issue
-- 15). The foreign key made every mark check its row at the end of the
-- filing's statement, and PostgreSQL keeps the plan of that check for the
-- life of a connection: planned while the outbox was small (a new
-- database, or the first minutes of a burst before autovacuum analyzed the
-- table), it stayed a sequential scan of the whole outbox as the table
-- grew. On `make bench` those scans read 19 million rows in 30 s of
-- filing, and dropping the key took PostgreSQL's CPU per filing from 1.27
-- to 1.02 ms (measured with the job workers off, the filing alone).
-- Nothing relied on it: a mark is written in the statement or the
-- transaction that writes its row, the retention purge deletes delivered
-- messages only (a delivered message has had its job, so no mark), and the
-- dispatcher drops a mark whose row is missing without queueing anything
-- (store test TestDispatchOutboxDropsMarksWithoutMessage).
ALTER TABLE outbox_unqueued DROP CONSTRAINT outbox_unqueued_outbox_id_fkey;

-- +goose Down
DELETE FROM outbox_unqueued u WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = u.outbox_id);
ALTER TABLE outbox_unqueued ADD CONSTRAINT outbox_unqueued_outbox_id_fkey
    FOREIGN KEY (outbox_id) REFERENCES outbox (id) ON DELETE CASCADE;
