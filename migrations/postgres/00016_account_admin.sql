-- +goose Up
-- An admin can disable an account: it cannot log in and its sessions end
-- (the token version moves on and refresh tokens are revoked when it is
-- disabled); clearing disabled_at enables it again.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Password reset by e-mail: one row per link sent, the token kept only as
-- its SHA-256 (hex). A link works once (used_at) and until expires_at.
CREATE TABLE password_resets (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- +goose Down
DROP TABLE password_resets;
ALTER TABLE users DROP COLUMN disabled_at;
