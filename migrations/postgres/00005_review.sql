-- +goose Up
ALTER TABLE claims ADD COLUMN leased_by uuid REFERENCES users (id);
ALTER TABLE claims ADD COLUMN lease_expires_at timestamptz;
ALTER TABLE claims ADD COLUMN decided_by uuid REFERENCES users (id);
ALTER TABLE claims ADD COLUMN decided_at timestamptz;
ALTER TABLE claims ADD COLUMN approved_amount_krw bigint NOT NULL DEFAULT 0 CHECK (approved_amount_krw >= 0);
ALTER TABLE claims ADD COLUMN appealed_at timestamptz;
ALTER TABLE claims ADD COLUMN supplement_due_at timestamptz;
ALTER TABLE claims ADD COLUMN flags text NOT NULL DEFAULT '[]';
ALTER TABLE claims ADD COLUMN payout_fingerprint text NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN client_ip text NOT NULL DEFAULT '';
CREATE INDEX claims_queue_idx ON claims (status, created_at);
CREATE INDEX claims_payout_fingerprint_idx ON claims (payout_fingerprint);
CREATE INDEX claims_client_ip_idx ON claims (client_ip, created_at);

CREATE TABLE decisions (
    id            uuid PRIMARY KEY,
    claim_id      uuid NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    claim_version integer NOT NULL,
    actor_id      uuid REFERENCES users (id),
    actor_role    text NOT NULL,
    action        text NOT NULL,
    from_status   text NOT NULL,
    to_status     text NOT NULL,
    amount_krw    bigint NOT NULL DEFAULT 0 CHECK (amount_krw >= 0),
    reason_code   text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    due_at        timestamptz,
    created_at    timestamptz NOT NULL,
    UNIQUE (claim_id, claim_version)
);
CREATE INDEX decisions_claim_idx ON decisions (claim_id, created_at);

CREATE TABLE payout_batches (
    id         uuid PRIMARY KEY,
    outage_id  uuid REFERENCES outages (id),
    created_by uuid NOT NULL REFERENCES users (id),
    status     text NOT NULL CHECK (status IN ('open','settled')),
    item_count integer NOT NULL,
    total_krw  bigint NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE payout_items (
    id         uuid PRIMARY KEY,
    batch_id   uuid NOT NULL REFERENCES payout_batches (id) ON DELETE CASCADE,
    claim_id   uuid NOT NULL REFERENCES claims (id),
    amount_krw bigint NOT NULL CHECK (amount_krw > 0),
    status     text NOT NULL CHECK (status IN ('pending','paid','failed')),
    reference  text NOT NULL DEFAULT '',
    settled_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX payout_items_batch_idx ON payout_items (batch_id);
-- A claim is in at most one batch that has not failed it.
CREATE UNIQUE INDEX payout_items_live_claim_key ON payout_items (claim_id) WHERE status <> 'failed';

-- +goose Down
DROP TABLE payout_items;
DROP TABLE payout_batches;
DROP TABLE decisions;
DROP INDEX claims_client_ip_idx;
DROP INDEX claims_payout_fingerprint_idx;
DROP INDEX claims_queue_idx;
ALTER TABLE claims DROP COLUMN client_ip;
ALTER TABLE claims DROP COLUMN payout_fingerprint;
ALTER TABLE claims DROP COLUMN flags;
ALTER TABLE claims DROP COLUMN supplement_due_at;
ALTER TABLE claims DROP COLUMN appealed_at;
ALTER TABLE claims DROP COLUMN approved_amount_krw;
ALTER TABLE claims DROP COLUMN decided_at;
ALTER TABLE claims DROP COLUMN decided_by;
ALTER TABLE claims DROP COLUMN lease_expires_at;
ALTER TABLE claims DROP COLUMN leased_by;
