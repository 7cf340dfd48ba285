-- The walking skeleton's flat enrollments give way to the real model: the union tree, 1+N site
-- networks, programmes and classes with per-day capacity and reserved quotas, children and their
-- guardians, and bookings whose days are confirmed or waitlisted.
DROP TABLE enrollments;
DROP TABLE guardians;
DROP TABLE children;

CREATE TABLE unions (
    union_id   uuid PRIMARY KEY,
    parent_id  uuid REFERENCES unions,
    name       text NOT NULL,
    level      text NOT NULL CHECK (level IN ('city', 'district', 'industry', 'grassroots')),
    ancestors  uuid[] NOT NULL,            -- root first, the union itself last
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unions_ancestors ON unions USING gin (ancestors);

CREATE TABLE providers (
    provider_id uuid PRIMARY KEY,
    union_id    uuid NOT NULL REFERENCES unions,   -- the union that contracted it
    name        text NOT NULL
);

CREATE TABLE networks (
    network_id uuid PRIMARY KEY,
    union_id   uuid NOT NULL REFERENCES unions,
    name       text NOT NULL
);

CREATE TABLE sites (
    site_id     uuid PRIMARY KEY,
    network_id  uuid NOT NULL REFERENCES networks,
    union_id    uuid NOT NULL REFERENCES unions,
    provider_id uuid NOT NULL REFERENCES providers,
    role        text NOT NULL CHECK (role IN ('hub', 'satellite')),
    name        text NOT NULL
);
CREATE UNIQUE INDEX sites_one_hub_per_network ON sites (network_id) WHERE role = 'hub';

CREATE TABLE programmes (
    programme_id   uuid PRIMARY KEY,
    network_id     uuid NOT NULL REFERENCES networks,
    union_id       uuid NOT NULL REFERENCES unions,
    name           text NOT NULL,
    season         text NOT NULL,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL CHECK (ends_on >= starts_on),
    priority_order text[] NOT NULL
);

CREATE TABLE classes (
    class_id              uuid PRIMARY KEY,
    programme_id          uuid NOT NULL REFERENCES programmes,
    site_id               uuid NOT NULL REFERENCES sites,
    union_id              uuid NOT NULL REFERENCES unions,
    name                  text NOT NULL,
    class_type            text NOT NULL,
    min_age_months        integer NOT NULL,
    max_age_months        integer NOT NULL,
    capacity_per_day      integer NOT NULL CHECK (capacity_per_day > 0),
    booking_mode          text NOT NULL CHECK (booking_mode IN ('term', 'week', 'day')),
    fee_per_day_fen       bigint NOT NULL CHECK (fee_per_day_fen >= 0),
    registration_opens_at timestamptz NOT NULL
);

-- One row per day a class runs: the lock that serialises every seat change on that day.
CREATE TABLE class_days (
    class_id uuid NOT NULL REFERENCES classes,
    day      date NOT NULL,
    capacity integer NOT NULL CHECK (capacity > 0),
    PRIMARY KEY (class_id, day)
);

CREATE TABLE class_quotas (
    class_id        uuid NOT NULL REFERENCES classes,
    priority_group  text NOT NULL,
    seats           integer NOT NULL CHECK (seats > 0),
    release_at      timestamptz NOT NULL,
    release_handled boolean NOT NULL DEFAULT false,   -- waitlist re-run after release_at
    PRIMARY KEY (class_id, priority_group)
);
CREATE INDEX class_quotas_due ON class_quotas (release_at) WHERE NOT release_handled;

-- Seats taken per day and pool ('general' or a priority group's reserved quota).
CREATE TABLE seat_counts (
    class_id uuid NOT NULL,
    day      date NOT NULL,
    pool     text NOT NULL,
    taken    integer NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (class_id, day, pool),
    FOREIGN KEY (class_id, day) REFERENCES class_days
);

CREATE TABLE children (
    child_id          uuid PRIMARY KEY,
    union_id          uuid NOT NULL REFERENCES unions,   -- the registering member's union
    display_name      text NOT NULL,
    birth_date        date NOT NULL,
    priority_group    text NOT NULL,
    authorised_adults jsonb NOT NULL DEFAULT '[]',
    emergency_contact jsonb,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Guardians are union members; guardian_id is their member id.
CREATE TABLE guardianships (
    child_id            uuid NOT NULL REFERENCES children,
    guardian_id         uuid NOT NULL,
    display_name        text NOT NULL,
    employment_category text NOT NULL,
    channels            jsonb NOT NULL,
    PRIMARY KEY (child_id, guardian_id)
);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);

CREATE TABLE bookings (
    booking_id     uuid PRIMARY KEY,
    child_id       uuid NOT NULL REFERENCES children,
    class_id       uuid NOT NULL REFERENCES classes,
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    priority_group text NOT NULL,
    priority_rank  integer NOT NULL,
    seq            bigserial,                 -- arrival order, the waitlist's tie-breaker
    requested_at   timestamptz NOT NULL DEFAULT now(),
    booked_by      text NOT NULL
);
CREATE INDEX bookings_child ON bookings (child_id);

CREATE TABLE booking_days (
    booking_id    uuid NOT NULL REFERENCES bookings,
    class_id      uuid NOT NULL,
    day           date NOT NULL,
    child_id      uuid NOT NULL,
    state         text NOT NULL CHECK (state IN ('confirmed', 'waitlisted', 'cancelled')),
    pool          text,                       -- which pool the confirmed seat came from
    priority_rank integer NOT NULL,
    seq           bigint NOT NULL,
    PRIMARY KEY (booking_id, day),
    FOREIGN KEY (class_id, day) REFERENCES class_days,
    CHECK ((state = 'confirmed') = (pool IS NOT NULL))
);
CREATE UNIQUE INDEX booking_days_one_per_child ON booking_days (child_id, class_id, day) WHERE state <> 'cancelled';
CREATE INDEX booking_days_waitlist ON booking_days (class_id, day, priority_rank, seq) WHERE state = 'waitlisted';
CREATE INDEX booking_days_confirmed ON booking_days (class_id, day) WHERE state = 'confirmed';
