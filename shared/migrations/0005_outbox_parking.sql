-- A row Kafka refuses (missing topic, no write access, a record too large) is parked instead of
-- blocking the relay; an operator sends parked rows again with `python -m shared.outbox requeue`.
ALTER TABLE outbox
    ADD COLUMN attempts   integer NOT NULL DEFAULT 0,  -- times the row was refused when sent alone
    ADD COLUMN last_error text,
    ADD COLUMN parked_at  timestamptz;

DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (id) WHERE published_at IS NULL AND parked_at IS NOT NULL;
