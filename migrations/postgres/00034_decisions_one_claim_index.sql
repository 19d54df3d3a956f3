-- +goose Up
-- Every read of decisions names its claim (the claim page, the outcome
-- decisions of a list, the review history), and the unique index on
-- (claim_id, claim_version) serves each of them: a claim has a handful of
-- decisions, sorted by time in memory. The second index on (claim_id,
-- created_at) only cost an entry on every decision, 760,000 of them in a
-- batch adjudication of 1M claims (issue 15).
DROP INDEX decisions_claim_idx;

-- +goose Down
CREATE INDEX decisions_claim_idx ON decisions (claim_id, created_at);
