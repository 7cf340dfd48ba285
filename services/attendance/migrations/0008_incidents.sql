-- Accidents and incidents at a site, as site staff report them. What happened stays here: the
-- guardians are told its kind (incident.reported) and insurers get a claim notice without names.
CREATE TABLE incidents (
    incident_id       uuid PRIMARY KEY,
    child_id          uuid        NOT NULL,
    class_id          uuid        NOT NULL,
    site_id           uuid        NOT NULL,
    union_path        uuid[]      NOT NULL,
    day               date        NOT NULL,
    at                timestamptz NOT NULL,
    kind              text        NOT NULL,
    what_happened     text        NOT NULL,
    first_aid         text,
    guardians_told_by text,
    follow_up         text,
    reported_by       text        NOT NULL,
    reported_at       timestamptz NOT NULL
);
CREATE INDEX incidents_union_path ON incidents USING gin (union_path);
CREATE INDEX incidents_child ON incidents (child_id, day);
