-- Every notification is one guardian on one channel. In-app ones are delivered when written;
-- the others wait as 'pending' for the dispatcher, which retries with backoff.
ALTER TABLE notifications
    ADD COLUMN address      text,
    ADD COLUMN safety       boolean     NOT NULL DEFAULT false,
    ADD COLUMN language     text        NOT NULL DEFAULT 'zh-CN',
    ADD COLUMN status       text        NOT NULL DEFAULT 'delivered'
                            CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    ADD COLUMN due_at       timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN lease_until  timestamptz,
    ADD COLUMN attempts     integer     NOT NULL DEFAULT 0,
    ADD COLUMN last_error   text,
    ADD COLUMN delivered_at timestamptz;
CREATE INDEX notifications_due ON notifications (due_at) WHERE status IN ('pending', 'sending');

-- What each attempt at an outside channel did: for operations, and for disputes.
CREATE TABLE delivery_log (
    notification_id uuid        NOT NULL REFERENCES notifications,
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    outcome         text        NOT NULL,
    detail          text,
    PRIMARY KEY (notification_id, attempt)
);

CREATE TABLE preferences (
    guardian_id   uuid PRIMARY KEY,
    muted_kinds   text[] NOT NULL DEFAULT '{}',   -- event types this guardian does not want (routine only)
    channels      text[],                         -- channel kinds to use; NULL: all of them
    quiet_start   time,                           -- local time (Asia/Shanghai)
    quiet_end     time,
    language      text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en'))
);

-- Live in-app feed: wake the SSE streams of the guardian.
CREATE FUNCTION inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.channel = 'inapp' THEN
        PERFORM pg_notify('inbox', NEW.guardian_id::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_notify AFTER INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION inbox_notify();

-- A guardian may have two addresses on one channel kind (two e-mail addresses, say).
ALTER TABLE notifications DROP CONSTRAINT notifications_source_event_id_guardian_id_channel_key;
ALTER TABLE notifications ADD CONSTRAINT notifications_once
    UNIQUE (source_event_id, guardian_id, channel, address);
