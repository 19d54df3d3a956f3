-- +goose Up
-- The statistics dashboard's figures, computed once and shared by every
-- instance: one row per outage, and the row with outage_id '' for all
-- outages together. figures is the JSON of stats.Figures; computed_at is
-- the clock reading the figures are as of. A row is replaced only by
-- figures computed later (stats.Service.RefreshSnapshots, or a request
-- that found the row missing or too old).
CREATE TABLE stats_snapshots (
    outage_id   text PRIMARY KEY CHECK (outage_id = '' OR length(outage_id) = 36),
    figures     text NOT NULL,
    computed_at datetime NOT NULL
);

-- The refresh asks, per outage, whether any claim changed since its
-- snapshot was computed: an index probe instead of a scan of its claims.
CREATE INDEX claims_outage_updated_idx ON claims (outage_id, updated_at);
