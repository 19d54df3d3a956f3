-- +goose Up
-- The outbox messages written without a River job yet (see the PostgreSQL
-- migration). SQLite's filings queue their jobs as they write, and its
-- adjudication goes claim by claim; the table keeps the two dialects'
-- schemas alike, and the dispatcher works it on both.
CREATE TABLE outbox_unqueued (
    outbox_id text PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE outbox_unqueued;
