-- +goose Up
-- A mark of outbox_unqueued carries its message's topic (issue 15). The
-- dispatcher queues River jobs only for the lanes that hold fewer than
-- their backlog of available jobs (jobs.Config.LaneBacklog); a full
-- lane's marks wait here, where a mark costs one narrow row, until its
-- workers catch up. It finds the marks of the lanes with room through the
-- topic index instead of reading past the others. A mark written by an
-- older instance during a rolling deploy has the empty topic and goes with
-- the messages lane.
ALTER TABLE outbox_unqueued ADD COLUMN topic text NOT NULL DEFAULT '';
UPDATE outbox_unqueued u SET topic = o.topic FROM outbox o WHERE o.id = u.outbox_id;
CREATE INDEX outbox_unqueued_topic_idx ON outbox_unqueued (topic, outbox_id);

-- +goose Down
DROP INDEX outbox_unqueued_topic_idx;
ALTER TABLE outbox_unqueued DROP COLUMN topic;
