-- Events deferred in one batch share their transaction's now(): keep their arrival order by a sequence.
ALTER TABLE deferred_events ADD COLUMN seq bigserial;
