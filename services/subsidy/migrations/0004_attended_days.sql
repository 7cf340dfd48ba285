-- What attendance said of each booked day, kept whatever the order in which the booking's
-- application and the day's check-in or absence reach subsidy: settlement reads it when both
-- are known (the two travel on different topics, and nothing orders them).
CREATE TABLE attended_days (
    booking_id  uuid        NOT NULL,
    day         date        NOT NULL,
    child_id    uuid        NOT NULL,
    attended    boolean     NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (booking_id, day)
);
