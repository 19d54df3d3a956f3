-- +goose Up
-- Per-outage e-mail subscriptions, double opt-in: a row is written
-- unconfirmed with the SHA-256 (hex) of the link's token; updates go only to
-- confirmed rows that are not unsubscribed. One row per outage and address.
-- sealed holds the token encrypted (key key_id), so that the mails
-- written later can carry the unsubscribe link.
CREATE TABLE outage_subscriptions (
    id              uuid PRIMARY KEY,
    outage_id       uuid NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
    email           text NOT NULL,
    token_hash      text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    sealed          text NOT NULL,
    key_id          text NOT NULL,
    confirmed_at    timestamptz,
    unsubscribed_at timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (outage_id, email)
);

-- +goose Down
DROP TABLE outage_subscriptions;
