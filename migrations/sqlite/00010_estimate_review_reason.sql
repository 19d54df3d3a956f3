-- +goose Up
-- What an estimate says besides its amount and steps: why a person must
-- look (outside_opening_hours, no_loss_shown, above_top_band, ...), how many
-- days the paid service is extended, and the in-kind items, so a stored
-- estimate reads back as it was priced.
ALTER TABLE claim_estimates ADD COLUMN review_reason text NOT NULL DEFAULT '';
ALTER TABLE claim_estimates ADD COLUMN extension_days integer NOT NULL DEFAULT 0 CHECK (extension_days >= 0);
ALTER TABLE claim_estimates ADD COLUMN in_kind text NOT NULL DEFAULT '';
ALTER TABLE claim_estimates ADD COLUMN in_kind_en text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE claim_estimates DROP COLUMN in_kind_en;
ALTER TABLE claim_estimates DROP COLUMN in_kind;
ALTER TABLE claim_estimates DROP COLUMN extension_days;
ALTER TABLE claim_estimates DROP COLUMN review_reason;
