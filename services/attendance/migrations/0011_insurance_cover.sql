-- Insurers' answers about each child's cover, per programme and day (child.cover_confirmed,
-- child.cover_refused). A roster row is covered when some insurer confirmed its day.
CREATE TABLE cover_answers (
    child_id      uuid NOT NULL,
    programme_id  uuid NOT NULL,
    day           date NOT NULL,
    insurer       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('confirmed', 'refused')),
    policy_number text,
    PRIMARY KEY (child_id, programme_id, day, insurer)
);
