-- Weekly boarding (周托): a boarding class's children stay the nights between consecutive booked
-- days; staff record each night's presence.
ALTER TABLE roster_entries ADD COLUMN boarding boolean NOT NULL DEFAULT false;

CREATE TABLE boarding_nights (
    child_id    uuid        NOT NULL,
    class_id    uuid        NOT NULL,
    night       date        NOT NULL,  -- the night after this day
    present     boolean     NOT NULL,
    note        text,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (child_id, night)
);
CREATE INDEX boarding_nights_class ON boarding_nights (class_id, night);
