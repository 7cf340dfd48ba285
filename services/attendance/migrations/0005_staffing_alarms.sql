-- A class-day's staffing alarm: a row while the class is over its ratio and the alarm is raised,
-- removed when it is cleared, so that the alarm goes out once, not once per check-in.
CREATE TABLE staffing_alarms (
    class_id  uuid        NOT NULL,
    day       date        NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (class_id, day)
);
