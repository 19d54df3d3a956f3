-- +goose Up
-- A claim's timeline and its decisions name claim statuses only, as
-- claims.status does (models.ClaimStatuses): every event records the status
-- its claim moved to, every decision the status it left and the one it set.
-- SQLite cannot add a CHECK to a table, so triggers refuse the rows
-- PostgreSQL's constraints refuse, with the text of a failed CHECK (the
-- store reads both as an invalid value). The UPDATEs after them check the
-- rows already there, as adding a constraint does: a row naming another
-- status fires its trigger and stops the migration.
-- +goose StatementBegin
CREATE TRIGGER claim_events_status_check_insert BEFORE INSERT ON claim_events
WHEN NEW.status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: claim_events_status_check');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER claim_events_status_check_update BEFORE UPDATE OF status ON claim_events
WHEN NEW.status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: claim_events_status_check');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decisions_status_check_insert BEFORE INSERT ON decisions
WHEN NEW.from_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
  OR NEW.to_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: decisions_status_check');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decisions_status_check_update BEFORE UPDATE OF from_status, to_status ON decisions
WHEN NEW.from_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
  OR NEW.to_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: decisions_status_check');
END;
-- +goose StatementEnd
UPDATE claim_events SET status = status
WHERE status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid');
UPDATE decisions SET from_status = from_status, to_status = to_status
WHERE from_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid')
   OR to_status NOT IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid');

-- +goose Down
DROP TRIGGER decisions_status_check_update;
DROP TRIGGER decisions_status_check_insert;
DROP TRIGGER claim_events_status_check_update;
DROP TRIGGER claim_events_status_check_insert;
