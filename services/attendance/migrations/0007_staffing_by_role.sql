-- Staffing by role. A site's rule lists the roles a class needs (per class, and per N children
-- booked), for one class type or ('*') for every class at the site. Staff on duty carry their
-- qualifications with expiry dates. An alarm row per class-day and missing role, and per lapsed
-- qualification, so that each event goes out once, not once per change.
ALTER TABLE staff_on_duty ADD COLUMN qualifications jsonb NOT NULL DEFAULT '[]';

CREATE TABLE staffing_rules (
    site_id    uuid        NOT NULL,
    class_type text        NOT NULL,
    roles      jsonb       NOT NULL,
    set_by     text        NOT NULL,
    set_at     timestamptz NOT NULL,
    PRIMARY KEY (site_id, class_type)
);

CREATE TABLE role_alarms (
    class_id  uuid        NOT NULL,
    day       date        NOT NULL,
    role      text        NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (class_id, day, role)
);

CREATE TABLE qualification_alarms (
    class_id      uuid        NOT NULL,
    day           date        NOT NULL,
    staff_name    text        NOT NULL,
    qualification text        NOT NULL,
    raised_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (class_id, day, staff_name, qualification)
);
