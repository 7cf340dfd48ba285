-- The W3C trace context of the work that wrote the row (shared/tracing.py): the relay sends it as
-- the Kafka record's `traceparent` header, so each consumer's span joins the same trace.
ALTER TABLE outbox ADD COLUMN traceparent text;
