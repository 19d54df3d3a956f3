-- +goose Up
-- A mark of outbox_unqueued carries its message's topic: see the PostgreSQL
-- migration.
ALTER TABLE outbox_unqueued ADD COLUMN topic text NOT NULL DEFAULT '';
UPDATE outbox_unqueued SET topic = coalesce((SELECT o.topic FROM outbox o WHERE o.id = outbox_unqueued.outbox_id), '');
CREATE INDEX outbox_unqueued_topic_idx ON outbox_unqueued (topic, outbox_id);

-- +goose Down
DROP INDEX outbox_unqueued_topic_idx;
ALTER TABLE outbox_unqueued DROP COLUMN topic;
