-- +goose Up
-- Proactive offers (issue 14): accounts a provider knows were hit are
-- imported per outage, priced by the outage's policy and offered
-- compensation without a claim.

-- A partner system's key, scoped to one provider's outages. Only the
-- SHA-256 (hex) of the key is kept; prefix is its first characters, shown
-- to staff so that a key can be told apart without being usable.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    provider_id  uuid NOT NULL REFERENCES providers (id),
    prefix       text NOT NULL,
    key_hash     text NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- One upload of affected accounts. The file itself is kept (encrypted) in
-- blob storage under blob_key until the import is done. resume_line is the
-- last line whose rows are committed: a resumed import reads on from it.
-- errors holds the first line errors as a JSON array.
CREATE TABLE offer_imports (
    id              uuid PRIMARY KEY,
    outage_id       uuid NOT NULL REFERENCES outages (id),
    created_by      uuid REFERENCES users (id),
    api_key_id      uuid REFERENCES api_keys (id),
    filename        text NOT NULL,
    blob_key        text NOT NULL,
    size_bytes      bigint NOT NULL CHECK (size_bytes >= 0),
    status          text NOT NULL CHECK (status IN ('queued','running','cancelled','done','failed')),
    acceptance_days integer NOT NULL CHECK (acceptance_days > 0),
    rows            integer NOT NULL DEFAULT 0 CHECK (rows >= 0),
    accepted        integer NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    rejected        integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    offers_created  integer NOT NULL DEFAULT 0 CHECK (offers_created >= 0),
    resume_line     integer NOT NULL DEFAULT 0 CHECK (resume_line >= 0),
    errors          text NOT NULL DEFAULT '[]',
    failure         text NOT NULL DEFAULT '',
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    CHECK ((created_by IS NULL) <> (api_key_id IS NULL))
);
CREATE INDEX offer_imports_outage_idx ON offer_imports (outage_id, created_at);

-- One offer to one affected account: priced by the policy in force for
-- the outage (steps as in claim_estimates), reached by the link token
-- (only its SHA-256 is kept) and matched to a person by verified phone or
-- e-mail. The payout account, when the import gives one, is kept only
-- sealed and masked, as on claims. phone holds digits only; email is lower
-- case.
CREATE TABLE offers (
    id                uuid PRIMARY KEY,
    outage_id         uuid NOT NULL REFERENCES outages (id),
    import_id         uuid NOT NULL REFERENCES offer_imports (id),
    account_ref       text NOT NULL,
    category          text NOT NULL CHECK (category IN ('free_user','paid_subscriber','merchant','driver','partner_business')),
    name              text NOT NULL,
    phone             text NOT NULL DEFAULT '',
    email             text NOT NULL DEFAULT '',
    monthly_fee_krw   bigint NOT NULL DEFAULT 0 CHECK (monthly_fee_krw >= 0),
    business_number   text NOT NULL DEFAULT '',
    settlement        text NOT NULL CHECK (settlement IN ('bank','bill_credit')),
    bank              text NOT NULL DEFAULT '',
    holder            text NOT NULL DEFAULT '',
    account_sealed    text NOT NULL DEFAULT '',
    account_key_id    text NOT NULL DEFAULT '',
    account_masked    text NOT NULL DEFAULT '',
    amount_krw        bigint NOT NULL CHECK (amount_krw >= 0),
    extension_days    integer NOT NULL DEFAULT 0 CHECK (extension_days >= 0),
    in_kind           text NOT NULL DEFAULT '',
    in_kind_en        text NOT NULL DEFAULT '',
    policy_version    integer NOT NULL REFERENCES policies (version),
    steps             text NOT NULL,
    status            text NOT NULL CHECK (status IN ('offered','granted','accepted','declined','contested','expired','paid')),
    token_hash        text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    expires_at        timestamptz NOT NULL,
    user_id           uuid REFERENCES users (id),
    claim_id          uuid REFERENCES claims (id),
    chosen_settlement text NOT NULL DEFAULT '' CHECK (chosen_settlement IN ('','bank','bill_credit')),
    acted_at          timestamptz,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (outage_id, account_ref),
    CHECK (phone <> '' OR email <> '')
);
CREATE INDEX offers_outage_status_idx ON offers (outage_id, status);
CREATE INDEX offers_import_idx ON offers (import_id);
CREATE INDEX offers_phone_idx ON offers (phone) WHERE phone <> '';
CREATE INDEX offers_email_idx ON offers (email) WHERE email <> '';

-- When the account's phone and e-mail were proven by a one-time code.
-- Changing either clears its mark.
ALTER TABLE users ADD COLUMN phone_verified_at timestamptz;
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- One-time codes sent to prove a phone (SMS) or an e-mail address. Only
-- the code's keyed hash is kept; attempts bounds guessing.
CREATE TABLE contact_verifications (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     text NOT NULL CHECK (channel IN ('phone','email')),
    address     text NOT NULL,
    code_hash   text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    expires_at  timestamptz NOT NULL,
    verified_at timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX contact_verifications_user_idx ON contact_verifications (user_id, channel, created_at);

-- +goose Down
DROP TABLE contact_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE users DROP COLUMN phone_verified_at;
DROP TABLE offers;
DROP TABLE offer_imports;
DROP TABLE api_keys;
