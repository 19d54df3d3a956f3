-- +goose Up
-- PostgreSQL indexes only open claims by status (issue 15). SQLite uses a
-- partial index only for a query that repeats its WHERE term by term, which
-- the leases' OR of statuses does not; its full indexes stay.
SELECT 1;

-- +goose Down
SELECT 1;
