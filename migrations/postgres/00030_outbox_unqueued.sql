-- +goose Up
-- The outbox messages written without a River job yet (issue 15). A filing
-- on PostgreSQL marks its messages here instead of inserting their jobs:
-- one narrow row with one index each, against a river_job row with seven
-- indexes, two of them GIN, in the statement a claimant waits on. A page of
-- automatic approvals marks its messages too. The jobs
-- package's dispatcher takes the marks in batches (FOR UPDATE SKIP LOCKED,
-- so two instances never queue a message twice) and inserts the jobs in
-- the same transaction. The table stays small and churns fast, so it is
-- vacuumed after every thousand dead rows rather than a fifth of itself.
CREATE TABLE outbox_unqueued (
    outbox_id uuid PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000);

-- +goose Down
DROP TABLE outbox_unqueued;
