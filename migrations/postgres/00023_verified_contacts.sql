-- +goose Up
-- A phone number or e-mail address that changes is no longer the one a
-- one-time code proved: its verified mark is cleared by the same
-- statement, whatever path changed it (issue 14: offers are shown only for
-- proven addresses). The phone is compared as written, so rewriting it
-- in another format also asks for a new code; the e-mail ignores case.
-- +goose StatementBegin
CREATE FUNCTION users_clear_verified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.phone IS DISTINCT FROM OLD.phone THEN
        NEW.phone_verified_at := NULL;
    END IF;
    IF lower(NEW.email) IS DISTINCT FROM lower(OLD.email) THEN
        NEW.email_verified_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_clear_verified BEFORE UPDATE OF phone, email ON users
    FOR EACH ROW EXECUTE FUNCTION users_clear_verified();

-- +goose Down
DROP TRIGGER users_clear_verified ON users;
DROP FUNCTION users_clear_verified();
