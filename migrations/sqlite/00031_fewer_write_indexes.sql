-- +goose Up
-- Two index entries fewer on every filing, and one on every decision
-- (issue 15):
-- - An audit entry is written unsealed (chain_pos NULL) and numbered when
--   sealed. The unique index on chain_pos held an entry for every unsealed
--   row as well; it now holds the sealed ones only, which is all that the
--   uniqueness concerns. Sealing, an update of an indexed column, writes
--   the entry as before.
-- - A claim's current estimate is found through claim_estimates_claim_idx
--   (claim_id, created_at): a claim has a handful of estimates, so the
--   partial index of current ones saved nothing a lookup needs.
DROP INDEX audit_entries_chain_pos_idx;
CREATE UNIQUE INDEX audit_entries_chain_pos_idx ON audit_entries (chain_pos) WHERE chain_pos IS NOT NULL;
DROP INDEX claim_estimates_current_idx;

-- +goose Down
CREATE INDEX claim_estimates_current_idx ON claim_estimates (claim_id) WHERE superseded_at IS NULL;
DROP INDEX audit_entries_chain_pos_idx;
CREATE UNIQUE INDEX audit_entries_chain_pos_idx ON audit_entries (chain_pos);
