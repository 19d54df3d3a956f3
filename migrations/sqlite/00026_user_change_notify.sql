-- +goose Up
-- PostgreSQL notifies the other processes of changed users (issue 15);
-- SQLite serves one process, whose store tells its cache directly.
SELECT 1;

-- +goose Down
SELECT 1;
