-- Daily caps on pick-up: wrong codes and attempts count per child per day, across attempts.
-- Once a cap is reached the child's pick-up is locked for the day until union staff, having
-- confirmed the adult another way, release it; each release restarts the counts.
CREATE TABLE pickup_releases (
    child_id    uuid        NOT NULL,
    day         date        NOT NULL,
    released_at timestamptz NOT NULL DEFAULT now(),
    released_by text        NOT NULL,
    reason      text        NOT NULL
);
CREATE INDEX pickup_releases_child_day ON pickup_releases (child_id, day, released_at);
CREATE INDEX pickup_attempts_child_day ON pickup_attempts (child_id, day);

-- Pick-up codes now leave attendance sealed to notify's key (pickup.code_issued version 2).
-- Published version-1 events carried the code in clear: drop them from the outbox's history.
DELETE FROM outbox WHERE event_type = 'pickup.code_issued' AND published_at IS NOT NULL;
