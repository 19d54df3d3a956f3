-- +goose Up
-- A phone number or e-mail address that changes is no longer the one a
-- one-time code proved: its verified mark is cleared by the same
-- statement, whatever path changed it (issue 14: offers are shown only for
-- proven addresses). The phone is compared as written, so rewriting it
-- in another format also asks for a new code; the e-mail ignores case.
-- +goose StatementBegin
CREATE TRIGGER users_clear_phone_verified AFTER UPDATE OF phone ON users
WHEN NEW.phone IS NOT OLD.phone AND NEW.phone_verified_at IS NOT NULL
BEGIN
    UPDATE users SET phone_verified_at = NULL WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_clear_email_verified AFTER UPDATE OF email ON users
WHEN lower(NEW.email) IS NOT lower(OLD.email) AND NEW.email_verified_at IS NOT NULL
BEGIN
    UPDATE users SET email_verified_at = NULL WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_clear_email_verified;
DROP TRIGGER users_clear_phone_verified;
