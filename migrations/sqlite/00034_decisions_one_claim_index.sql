-- +goose Up
-- The unique (claim_id, claim_version) index serves every read of a
-- claim's decisions: see the PostgreSQL migration.
DROP INDEX decisions_claim_idx;

-- +goose Down
CREATE INDEX decisions_claim_idx ON decisions (claim_id, created_at);
