-- +goose Up
-- The audit trail (package audit). Writers only INSERT unsealed rows (seq from
-- the sequence, chain_pos NULL); the sealer alone sets chain_pos, prev_hash and
-- hash, once. Rows are never deleted: staff access records are kept at least
-- two years (audit.RetentionDays), and the triggers below refuse DELETE,
-- TRUNCATE and any change to a sealed row, or to the recorded fields of an
-- unsealed one. The hash chain, not the triggers, is what detects tampering by
-- someone able to drop them.
CREATE TABLE audit_entries (
    seq        bigserial PRIMARY KEY,
    id         uuid NOT NULL UNIQUE,
    at         timestamptz NOT NULL,
    actor_id   uuid,
    actor_role text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    action     text NOT NULL CHECK (action <> ''),
    entity     text NOT NULL CHECK (entity <> ''),
    entity_id  text NOT NULL,
    subject_id uuid,
    details    text NOT NULL DEFAULT '{}',
    chain_pos  bigint CHECK (chain_pos > 0),
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
    chain_pos bigint PRIMARY KEY CHECK (chain_pos > 0),
    hash      text NOT NULL CHECK (length(hash) = 64),
    at        timestamptz NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_entries' THEN
        IF OLD.chain_pos IS NULL
           AND (NEW.seq, NEW.id, NEW.at, NEW.actor_id, NEW.actor_role, NEW.ip, NEW.action, NEW.entity, NEW.entity_id, NEW.subject_id, NEW.details)
               IS NOT DISTINCT FROM
               (OLD.seq, OLD.id, OLD.at, OLD.actor_id, OLD.actor_role, OLD.ip, OLD.action, OLD.entity, OLD.entity_id, OLD.subject_id, OLD.details) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'check_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_entries;
DROP FUNCTION audit_append_only();
