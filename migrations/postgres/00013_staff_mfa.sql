-- +goose Up
-- Staff sign in with a second factor (TOTP, RFC 6238). A staff member's
-- factor is pending (confirmed_at NULL) from the login that showed its
-- secret until the first good code confirms it. The secret is sealed with
-- the encryption key (AES-GCM, bound to the user id); last_step is the
-- RFC 6238 time step of the last code accepted, so no code is good twice.
CREATE TABLE mfa_factors (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed text NOT NULL CHECK (secret_sealed <> ''),
    secret_key_id text NOT NULL CHECK (secret_key_id <> ''),
    confirmed_at  timestamptz,
    last_step     bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- One-time recovery codes, issued when the factor is confirmed, kept only
-- as hashes; used_at marks a spent one.
CREATE TABLE mfa_recovery_codes (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL CHECK (length(code_hash) = 64),
    used_at    timestamptz,
    created_at timestamptz NOT NULL,
    UNIQUE (user_id, code_hash)
);

-- Staff sessions opened before the second factor existed end here: their
-- access tokens stop verifying (token version) and their refresh tokens
-- are revoked, so every staff member signs in again with a factor.
UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP
 WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE role <> 'claimant');
UPDATE users SET token_version = token_version + 1 WHERE role <> 'claimant';

-- +goose Down
DROP TABLE mfa_recovery_codes;
DROP TABLE mfa_factors;
