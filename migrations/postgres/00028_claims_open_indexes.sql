-- +goose Up
-- The review queue's (status, created_at) and the submitted pages' (status,
-- id) index only open claims (issue 15). Every query that seeks them names
-- open statuses: the leases, the queue, the backlog, the supplement
-- reminders, the adjudication pages; closed statuses are read by outage
-- (claims_outage_status_id_idx) or in id order (the primary key). A claim
-- leaving the open statuses, as each automatic approval does, then adds no
-- entry to either: two index insertions fewer per decided claim in the
-- non-HOT update (its status and updated_at are indexed). The list is
-- stats.OpenStatuses; a query must name open statuses only for the planner
-- to use these.
DROP INDEX claims_status_created_idx;
CREATE INDEX claims_open_created_idx ON claims (status, created_at)
  WHERE status IN ('submitted', 'under_review', 'supplement_requested', 'pending_second_approval', 'appealed');
DROP INDEX claims_status_id_idx;
CREATE INDEX claims_open_id_idx ON claims (status, id)
  WHERE status IN ('submitted', 'under_review', 'supplement_requested', 'pending_second_approval', 'appealed');

-- +goose Down
DROP INDEX claims_open_id_idx;
CREATE INDEX claims_status_id_idx ON claims (status, id);
DROP INDEX claims_open_created_idx;
CREATE INDEX claims_status_created_idx ON claims (status, created_at);
