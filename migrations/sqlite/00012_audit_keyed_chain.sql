-- +goose Up
-- The audit chain is keyed (HMAC-SHA256 with a key the database never
-- holds). hash_alg says how an entry's hash was computed: '' for the plain
-- SHA-256 of the entries sealed before, 'hmac-sha256' since; the sealer sets
-- it with the other chain fields, once (the seal-once trigger still refuses
-- any change to a sealed row). Checkpoints carry their keyed signature (sig,
-- '' on those recorded before).
ALTER TABLE audit_entries ADD COLUMN hash_alg text NOT NULL DEFAULT '' CHECK (hash_alg IN ('', 'hmac-sha256'));
ALTER TABLE audit_checkpoints ADD COLUMN sig text NOT NULL DEFAULT '' CHECK (sig = '' OR length(sig) = 64);

-- +goose Down
ALTER TABLE audit_checkpoints DROP COLUMN sig;
ALTER TABLE audit_entries DROP COLUMN hash_alg;
