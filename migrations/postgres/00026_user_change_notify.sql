-- +goose Up
-- Every process caches the users behind the access tokens it checks (issue
-- 15); each listens on this channel to forget a user whose row any process
-- updated or deleted (token version, role, disabling, verified contacts),
-- whatever path changed it. NOTIFY is delivered at commit, never for a
-- rolled-back change.
-- +goose StatementBegin
CREATE FUNCTION users_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bosang_user_changes', OLD.id::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_notify_change AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_notify_change();

-- +goose Down
DROP TRIGGER users_notify_change ON users;
DROP FUNCTION users_notify_change();
