-- +goose Up
-- How far into its file an import has committed, in bytes: the progress
-- GET /api/v1/imports/{id} shows (bytes_read / size_bytes).
ALTER TABLE offer_imports ADD COLUMN bytes_read bigint NOT NULL DEFAULT 0 CHECK (bytes_read >= 0);

-- +goose Down
ALTER TABLE offer_imports DROP COLUMN bytes_read;
