-- +goose Up
-- Indexes for bulk work at a million claims (BENCHMARKS.md, "Bulk at scale").
-- claims_queue_idx duplicated claims_status_created_idx (both status,
-- created_at): one fewer index to maintain on every claim update.
DROP INDEX claims_queue_idx;
-- Batch adjudication pages through submitted claims by id.
CREATE INDEX claims_status_id_idx ON claims (status, id);
CREATE INDEX claims_outage_status_id_idx ON claims (outage_id, status, id);
DROP INDEX claims_outage_status_idx; -- a prefix of the one above
-- The shared-account signal seeks other claimants' claims with the same
-- account: (fingerprint, claimant) turns "another claimant" into two range
-- seeks however many claims one claimant has.
CREATE INDEX claims_payout_fingerprint_claimant_idx ON claims (payout_fingerprint, claimant_id);
DROP INDEX claims_payout_fingerprint_idx;
-- The shared-phone signal looks other claimants up by phone.
CREATE INDEX users_phone_idx ON users (phone) WHERE phone <> '';
-- A claim's current estimate.
CREATE INDEX claim_estimates_current_idx ON claim_estimates (claim_id) WHERE superseded_at IS NULL;
-- Export and batch pages walk a batch's items by id.
CREATE INDEX payout_items_batch_id_idx ON payout_items (batch_id, id);
DROP INDEX payout_items_batch_idx;

-- +goose Down
CREATE INDEX payout_items_batch_idx ON payout_items (batch_id);
DROP INDEX payout_items_batch_id_idx;
DROP INDEX claim_estimates_current_idx;
DROP INDEX users_phone_idx;
CREATE INDEX claims_outage_status_idx ON claims (outage_id, status);
DROP INDEX claims_outage_status_id_idx;
DROP INDEX claims_status_id_idx;
CREATE INDEX claims_payout_fingerprint_idx ON claims (payout_fingerprint);
DROP INDEX claims_payout_fingerprint_claimant_idx;
CREATE INDEX claims_queue_idx ON claims (status, created_at);
