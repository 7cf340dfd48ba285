-- A class's timetable of activities by age group, and outings that need each guardian's consent.
-- Consents are a history: the latest word of a child's guardians counts, and a withdrawal is a row too.
CREATE TABLE timetables (
    class_id   uuid        PRIMARY KEY,
    activities jsonb       NOT NULL,
    set_by     text        NOT NULL,
    set_at     timestamptz NOT NULL
);

CREATE TABLE outings (
    outing_id   uuid PRIMARY KEY,
    class_id    uuid        NOT NULL,
    site_id     uuid        NOT NULL,
    day         date        NOT NULL,
    destination text        NOT NULL,
    leaves_at   time        NOT NULL,
    returns_at  time        NOT NULL,
    stays_with  text        NOT NULL,
    planned_by  text        NOT NULL,
    planned_at  timestamptz NOT NULL
);
CREATE INDEX outings_class_day ON outings (class_id, day);

CREATE TABLE outing_consents (
    consent_id  bigserial PRIMARY KEY,
    outing_id   uuid        NOT NULL REFERENCES outings,
    child_id    uuid        NOT NULL,
    guardian_id uuid        NOT NULL,
    given       boolean     NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX outing_consents_outing_child ON outing_consents (outing_id, child_id, consent_id);
