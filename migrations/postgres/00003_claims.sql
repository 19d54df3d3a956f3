-- +goose Up
CREATE TABLE claimant_profiles (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('merchant','driver','paid_subscriber','partner_business')),
    data            text NOT NULL,
    business_number text,
    secret          text NOT NULL DEFAULT '',
    secret_key_id   text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX claimant_profiles_business_number_idx ON claimant_profiles (business_number);

CREATE TABLE policies (
    version        integer PRIMARY KEY CHECK (version > 0),
    name           text NOT NULL,
    effective_from timestamptz NOT NULL,
    rules          text NOT NULL,
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL
);

CREATE TABLE claim_numbers (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE claims (
    id                   uuid PRIMARY KEY,
    number               text NOT NULL UNIQUE,
    claimant_id          uuid NOT NULL REFERENCES users (id),
    outage_id            uuid NOT NULL REFERENCES outages (id),
    category             text NOT NULL CHECK (category IN ('free_user','paid_subscriber','merchant','driver','partner_business')),
    monetary             boolean NOT NULL,
    description          text NOT NULL,
    claimed_amount_krw   bigint NOT NULL CHECK (claimed_amount_krw >= 0),
    details              text NOT NULL,
    payout_bank          text NOT NULL,
    payout_holder        text NOT NULL,
    payout_number_sealed text NOT NULL,
    payout_key_id        text NOT NULL,
    payout_number_masked text NOT NULL,
    status               text NOT NULL CHECK (status IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')),
    estimate_amount_krw  bigint NOT NULL CHECK (estimate_amount_krw >= 0),
    policy_version       integer NOT NULL REFERENCES policies (version),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (claimant_id, outage_id, category)
);
CREATE INDEX claims_outage_status_idx ON claims (outage_id, status);
CREATE INDEX claims_status_created_idx ON claims (status, created_at);

CREATE TABLE claim_estimates (
    id              uuid PRIMARY KEY,
    claim_id        uuid NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    policy_version  integer NOT NULL REFERENCES policies (version),
    amount_krw      bigint NOT NULL CHECK (amount_krw >= 0),
    steps           text NOT NULL,
    auto            boolean NOT NULL,
    review_required boolean NOT NULL,
    created_at      timestamptz NOT NULL,
    superseded_at   timestamptz
);
CREATE INDEX claim_estimates_claim_idx ON claim_estimates (claim_id, created_at);

CREATE TABLE claim_events (
    id         uuid PRIMARY KEY,
    claim_id   uuid NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    status     text NOT NULL,
    actor_id   uuid REFERENCES users (id),
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX claim_events_claim_idx ON claim_events (claim_id, created_at);

CREATE TABLE evidence (
    id            uuid PRIMARY KEY,
    claim_id      uuid NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    sha256        text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    content_type  text NOT NULL,
    storage_key   text NOT NULL UNIQUE,
    original_name text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX evidence_claim_idx ON evidence (claim_id);
CREATE INDEX evidence_sha256_idx ON evidence (sha256);

CREATE TABLE idempotency_keys (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key             text NOT NULL,
    request_hash    text NOT NULL,
    state           text NOT NULL CHECK (state IN ('in_flight','done')),
    response_status integer NOT NULL DEFAULT 0,
    response_body   text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE outbox (
    id           uuid PRIMARY KEY,
    topic        text NOT NULL,
    dedupe_id    text NOT NULL UNIQUE,
    payload      text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    available_at timestamptz NOT NULL,
    leased_until timestamptz,
    delivered_at timestamptz,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL
);
CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE delivered_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE evidence;
DROP TABLE claim_events;
DROP TABLE claim_estimates;
DROP TABLE claims;
DROP TABLE claim_numbers;
DROP TABLE policies;
DROP TABLE claimant_profiles;
