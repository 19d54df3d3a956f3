-- +goose Up
-- Claim numbers come from a sequence on PostgreSQL: a counter row would make
-- every filing in a surge wait for the one before it to commit.
CREATE SEQUENCE claim_number_seq;
SELECT setval('claim_number_seq', GREATEST((SELECT COALESCE(MAX(last), 0) FROM claim_numbers), 1), (SELECT COUNT(*) > 0 FROM claim_numbers));

-- +goose Down
DROP SEQUENCE claim_number_seq;
