-- Events about a child whose registration has not arrived yet (it travels on another topic).
-- They wait here and are told as soon as the registration comes.
CREATE TABLE deferred_events (
    event_id    uuid PRIMARY KEY,
    child_id    uuid        NOT NULL,
    envelope    bytea       NOT NULL,
    deferred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deferred_events_child ON deferred_events (child_id);
