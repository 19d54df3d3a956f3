-- +goose Up
-- Why an estimate was worked out, as JSON: {"code":"filed"},
-- {"code":"records_uploaded",...} or {"code":"policy_published",
-- "policy_version":3,"policy_name":"...",...}. Empty for estimates made
-- before this column existed, except each claim's first, which was always
-- made when it was filed.
ALTER TABLE claim_estimates ADD COLUMN reason text NOT NULL DEFAULT '';
UPDATE claim_estimates SET reason = '{"code":"filed"}'
WHERE created_at = (SELECT MIN(f.created_at) FROM claim_estimates f WHERE f.claim_id = claim_estimates.claim_id);

-- +goose Down
ALTER TABLE claim_estimates DROP COLUMN reason;
