-- +goose Up
-- SQLite has one writer, so the claim_numbers counter row costs nothing
-- there; PostgreSQL moves to a sequence in this version.
SELECT 1;

-- +goose Down
SELECT 1;
