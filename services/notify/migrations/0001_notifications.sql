CREATE TABLE notifications (
    notification_id  uuid PRIMARY KEY,
    source_event_id  uuid        NOT NULL,
    source_type      text        NOT NULL,
    guardian_id      uuid        NOT NULL,
    child_id         uuid        NOT NULL,
    channel          text        NOT NULL,
    body             text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_event_id, guardian_id, channel)
);
CREATE INDEX notifications_guardian ON notifications (guardian_id, created_at DESC);
