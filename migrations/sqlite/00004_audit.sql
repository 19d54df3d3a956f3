-- +goose Up
-- The audit trail (package audit). Writers only INSERT unsealed rows (seq from
-- AUTOINCREMENT, chain_pos NULL); the sealer alone sets chain_pos, prev_hash
-- and hash, once. Rows are never deleted: staff access records are kept at
-- least two years (audit.RetentionDays), and the triggers below refuse DELETE
-- and any change to a sealed row, or to the recorded fields of an unsealed
-- one. The hash chain, not the triggers, is what detects tampering by someone
-- able to drop them.
CREATE TABLE audit_entries (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         text NOT NULL UNIQUE,
    at         datetime NOT NULL,
    actor_id   text,
    actor_role text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    action     text NOT NULL CHECK (action <> ''),
    entity     text NOT NULL CHECK (entity <> ''),
    entity_id  text NOT NULL,
    subject_id text,
    details    text NOT NULL DEFAULT '{}',
    chain_pos  integer CHECK (chain_pos > 0),
    prev_hash  text NOT NULL DEFAULT '',
    hash       text NOT NULL DEFAULT '',
    CHECK ((chain_pos IS NULL AND hash = '' AND prev_hash = '') OR (chain_pos IS NOT NULL AND length(hash) = 64 AND length(prev_hash) = 64))
);
CREATE INDEX audit_entries_entity_idx ON audit_entries (entity, entity_id);
CREATE INDEX audit_entries_subject_idx ON audit_entries (subject_id);
CREATE INDEX audit_entries_at_idx ON audit_entries (at);
CREATE UNIQUE INDEX audit_entries_chain_pos_idx ON audit_entries (chain_pos);
CREATE INDEX audit_entries_unsealed_idx ON audit_entries (seq) WHERE chain_pos IS NULL;

-- Exported heads of the chain: a chain shorter than, or disagreeing with, a
-- checkpoint has been truncated or rewritten.
CREATE TABLE audit_checkpoints (
    chain_pos integer PRIMARY KEY CHECK (chain_pos > 0),
    hash      text NOT NULL CHECK (length(hash) = 64),
    at        datetime NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_seal_once BEFORE UPDATE ON audit_entries
WHEN OLD.chain_pos IS NOT NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
  OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_role IS NOT OLD.actor_role OR NEW.ip IS NOT OLD.ip
  OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.subject_id IS NOT OLD.subject_id OR NEW.details IS NOT OLD.details
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_entries;
