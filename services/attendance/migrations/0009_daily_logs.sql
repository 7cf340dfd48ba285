-- A site's daily safety and meal logs: disinfection rounds, the menu, food samples kept (留样, 48 h at
-- least), the health worker's morning check. A site-day with classes and a log missing is flagged
-- in the union's figures.
CREATE TABLE disinfections (
    disinfection_id uuid PRIMARY KEY,
    site_id         uuid        NOT NULL,
    day             date        NOT NULL,
    area            text        NOT NULL,
    done_by         text        NOT NULL,
    done_at         timestamptz NOT NULL,
    recorded_by     text        NOT NULL
);
CREATE INDEX disinfections_site_day ON disinfections (site_id, day);

CREATE TABLE menus (
    site_id     uuid        NOT NULL,
    day         date        NOT NULL,
    meals       jsonb       NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (site_id, day)
);

CREATE TABLE food_samples (
    sample_id    uuid PRIMARY KEY,
    site_id      uuid        NOT NULL,
    day          date        NOT NULL,
    dish         text        NOT NULL,
    amount_g     integer     NOT NULL CHECK (amount_g > 0),
    kept_at      timestamptz NOT NULL,
    kept_by      text        NOT NULL,
    discarded_at timestamptz,
    discarded_by text
);
CREATE INDEX food_samples_site_day ON food_samples (site_id, day);

CREATE TABLE morning_checks (
    site_id          uuid        NOT NULL,
    day              date        NOT NULL,
    health_worker    text        NOT NULL,
    checked_at       timestamptz NOT NULL,
    children_checked integer     NOT NULL CHECK (children_checked >= 0),
    notes            text,
    recorded_by      text        NOT NULL,
    PRIMARY KEY (site_id, day)
);
