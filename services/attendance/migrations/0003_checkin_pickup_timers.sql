-- Check-in with health screening, staff on duty, the pick-up handshake, absences, and timers.
ALTER TABLE roster_entries
    ADD COLUMN provider_id  uuid,
    ADD COLUMN programme_id uuid,
    ADD COLUMN class_type   text,
    ADD COLUMN union_path   uuid[];
CREATE INDEX roster_entries_child_day ON roster_entries (child_id, day);
CREATE INDEX roster_entries_union_path ON roster_entries USING gin (union_path);

-- Opening hours per site (local time, Asia/Shanghai). Sites without a row use the defaults.
CREATE TABLE site_hours (
    site_id               uuid PRIMARY KEY,
    checkin_cutoff        time    NOT NULL,
    closing               time    NOT NULL,
    grace_minutes         integer NOT NULL CHECK (grace_minutes >= 0),
    escalation_interval_s integer NOT NULL CHECK (escalation_interval_s > 0),
    site_lead_name        text,
    site_lead_phone       text
);

-- Health details stay here and nowhere else.
CREATE TABLE checkins (
    checkin_id    uuid PRIMARY KEY,
    child_id      uuid        NOT NULL,
    class_id      uuid        NOT NULL,
    site_id       uuid        NOT NULL,
    booking_id    uuid        NOT NULL,
    day           date        NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    by_staff      text        NOT NULL,
    temperature_c numeric(3, 1) NOT NULL,
    symptoms      text[]      NOT NULL DEFAULT '{}',
    admitted      boolean     NOT NULL
);
CREATE UNIQUE INDEX checkins_one_admission ON checkins (child_id, day) WHERE admitted;

CREATE TABLE staff_on_duty (
    class_id   uuid NOT NULL,
    day        date NOT NULL,
    staff_name text NOT NULL,
    role       text NOT NULL,
    PRIMARY KEY (class_id, day, staff_name)
);

CREATE TABLE pickup_attempts (
    attempt_id  uuid PRIMARY KEY,
    child_id    uuid        NOT NULL,
    day         date        NOT NULL,
    adult_id    uuid        NOT NULL,
    adult_name  text        NOT NULL,
    code_hash   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    wrong_tries integer     NOT NULL DEFAULT 0,
    status      text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'completed', 'locked', 'expired')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE handovers (
    child_id    uuid        NOT NULL,
    day         date        NOT NULL,
    adult_id    uuid        NOT NULL,
    adult_name  text        NOT NULL,
    attempt_id  uuid        NOT NULL REFERENCES pickup_attempts,
    released_at timestamptz NOT NULL DEFAULT now(),
    released_by text        NOT NULL,
    PRIMARY KEY (child_id, day)
);

CREATE TABLE absences (
    child_id uuid NOT NULL,
    day      date NOT NULL,
    class_id uuid NOT NULL,
    PRIMARY KEY (child_id, day, class_id)
);

-- Persisted timers: each fires once, in the transaction that records its effect.
CREATE TABLE timers (
    timer_id bigserial PRIMARY KEY,
    kind     text        NOT NULL CHECK (kind IN ('absence', 'late_pickup')),
    child_id uuid        NOT NULL,
    class_id uuid        NOT NULL,
    day      date        NOT NULL,
    step     integer     NOT NULL DEFAULT 0,
    due_at   timestamptz NOT NULL,
    fired_at timestamptz,
    UNIQUE (kind, child_id, class_id, day, step)
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;
