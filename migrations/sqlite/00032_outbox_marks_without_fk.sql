-- +goose Up
-- A mark of outbox_unqueued no longer references its outbox row: see the
-- PostgreSQL migration. SQLite drops a foreign key by rebuilding the table.
CREATE TABLE outbox_unqueued_new (
    outbox_id text PRIMARY KEY
);
INSERT INTO outbox_unqueued_new (outbox_id) SELECT outbox_id FROM outbox_unqueued;
DROP TABLE outbox_unqueued;
ALTER TABLE outbox_unqueued_new RENAME TO outbox_unqueued;

-- +goose Down
CREATE TABLE outbox_unqueued_old (
    outbox_id text PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE
);
INSERT INTO outbox_unqueued_old (outbox_id) SELECT outbox_id FROM outbox_unqueued
    WHERE outbox_id IN (SELECT id FROM outbox);
DROP TABLE outbox_unqueued;
ALTER TABLE outbox_unqueued_old RENAME TO outbox_unqueued;
