-- +goose Up
CREATE TABLE users (
    id            text PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    name          text NOT NULL,
    phone         text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('claimant','operator','reviewer','supervisor','admin')),
    token_version integer NOT NULL DEFAULT 0,
    created_at    datetime NOT NULL,
    updated_at    datetime NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE refresh_tokens (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    expires_at datetime NOT NULL,
    used_at    datetime,
    revoked_at datetime,
    created_at datetime NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE login_throttles (
    key           text PRIMARY KEY,
    failures      integer NOT NULL CHECK (failures >= 0),
    window_start  datetime NOT NULL,
    blocked_until datetime
);

-- +goose Down
DROP TABLE login_throttles;
DROP TABLE refresh_tokens;
DROP TABLE users;
