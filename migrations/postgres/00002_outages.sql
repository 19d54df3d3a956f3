-- +goose Up
CREATE TABLE providers (
    id                     uuid PRIMARY KEY,
    name                   text NOT NULL UNIQUE,
    kind                   text NOT NULL CHECK (kind IN ('value_added','carrier')),
    prior_year_revenue_krw bigint NOT NULL CHECK (prior_year_revenue_krw >= 0),
    avg_daily_users        bigint NOT NULL CHECK (avg_daily_users >= 0),
    contact                text NOT NULL DEFAULT '',
    created_at             timestamptz NOT NULL
);

CREATE TABLE services (
    id          uuid PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    name_en     text NOT NULL DEFAULT '',
    provider_id uuid NOT NULL REFERENCES providers (id),
    paid        boolean NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE service_features (
    id         uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    code       text NOT NULL,
    name       text NOT NULL,
    name_en    text NOT NULL DEFAULT '',
    UNIQUE (service_id, code)
);

CREATE TABLE service_dependencies (
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    feature_id uuid NOT NULL REFERENCES service_features (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, feature_id)
);

CREATE TABLE outages (
    id                uuid PRIMARY KEY,
    service_id        uuid NOT NULL REFERENCES services (id),
    cause             text NOT NULL CHECK (cause IN ('overload','equipment_fault','error','fire','disaster','carrier_line','announced_maintenance','other')),
    critical_facility boolean NOT NULL,
    summary           text NOT NULL,
    regions           text NOT NULL DEFAULT '[]',
    started_at        timestamptz NOT NULL,
    ended_at          timestamptz CHECK (ended_at IS NULL OR ended_at > started_at),
    version           integer NOT NULL DEFAULT 1,
    created_by        uuid NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX outages_service_started_idx ON outages (service_id, started_at);
CREATE INDEX outages_started_idx ON outages (started_at);

CREATE TABLE outage_features (
    outage_id   uuid NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
    feature_id  uuid NOT NULL REFERENCES service_features (id),
    restored_at timestamptz,
    PRIMARY KEY (outage_id, feature_id)
);

CREATE TABLE outage_revisions (
    id         uuid PRIMARY KEY,
    outage_id  uuid NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    actor_id   uuid NOT NULL REFERENCES users (id),
    reason     text NOT NULL CHECK (reason <> ''),
    before     text NOT NULL,
    after      text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (outage_id, version)
);

CREATE TABLE outage_updates (
    id         uuid PRIMARY KEY,
    outage_id  uuid NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users (id),
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX outage_updates_outage_idx ON outage_updates (outage_id, created_at);

CREATE TABLE notices (
    id          uuid PRIMARY KEY,
    outage_id   uuid NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('interruption','compensation')),
    channels    text NOT NULL,
    sent_at     timestamptz NOT NULL,
    body        text NOT NULL,
    recorded_by uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL
);
CREATE INDEX notices_outage_idx ON notices (outage_id);

-- +goose Down
DROP TABLE notices;
DROP TABLE outage_updates;
DROP TABLE outage_revisions;
DROP TABLE outage_features;
DROP TABLE outages;
DROP TABLE service_dependencies;
DROP TABLE service_features;
DROP TABLE services;
DROP TABLE providers;
