-- +goose Up
-- A claim's timeline and its decisions name claim statuses only, as
-- claims.status does (models.ClaimStatuses): every event records the status
-- its claim moved to, every decision the status it left and the one it set.
-- Adding the constraints checks the rows already there.
ALTER TABLE claim_events ADD CONSTRAINT claim_events_status_check
  CHECK (status IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid'));
ALTER TABLE decisions ADD CONSTRAINT decisions_from_status_check
  CHECK (from_status IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid'));
ALTER TABLE decisions ADD CONSTRAINT decisions_to_status_check
  CHECK (to_status IN ('submitted','under_review','supplement_requested','pending_second_approval','approved','partially_approved','rejected','appealed','withdrawn','paid'));

-- +goose Down
ALTER TABLE decisions DROP CONSTRAINT decisions_to_status_check;
ALTER TABLE decisions DROP CONSTRAINT decisions_from_status_check;
ALTER TABLE claim_events DROP CONSTRAINT claim_events_status_check;
