-- The trace context of the event's handling (shared/tracing.py): the delivery span joins that trace.
ALTER TABLE notifications ADD COLUMN traceparent text;
