-- Pick-up codes arrive sealed to notify's key (pickup.code_issued version 2). A notification keeps
-- the sealed code only until the code expires; a timer then blanks it. The body has a slot instead.
ALTER TABLE notifications
    ADD COLUMN sealed_code     text,
    ADD COLUMN code_expires_at timestamptz;
CREATE INDEX notifications_code_expiry ON notifications (code_expires_at) WHERE sealed_code IS NOT NULL;

-- Version-1 events carried the code in clear: scrub it from what was stored, and drop the
-- deferred ones (they can no longer be read, and their codes expired long ago).
UPDATE notifications SET body = regexp_replace(body, '\d{6}', '******', 'g')
WHERE source_type = 'pickup.code_issued' AND sealed_code IS NULL;
DELETE FROM deferred_events
WHERE position('"type":"pickup.code_issued"'::bytea IN envelope) > 0
  AND position('"schema_version":1,'::bytea IN envelope) > 0;
