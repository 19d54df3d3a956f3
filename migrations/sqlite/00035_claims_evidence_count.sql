-- +goose Up
-- How many files a claim has. Recording a file moves it in the file's own
-- transaction, so every change to what a claim's page shows now changes
-- the claim's row: PostgreSQL's claim page cache (issue 15) checks that row
-- alone to know a cached page is current.
ALTER TABLE claims ADD COLUMN evidence_count integer NOT NULL DEFAULT 0 CHECK (evidence_count >= 0);
UPDATE claims SET evidence_count = (SELECT count(*) FROM evidence f WHERE f.claim_id = claims.id)
WHERE id IN (SELECT claim_id FROM evidence);

-- +goose Down
ALTER TABLE claims DROP COLUMN evidence_count;
