-- The consumer's record of handled event ids was called "inbox", which is also what guardians call
-- their messages (notify). It is now processed_events.
ALTER TABLE inbox RENAME TO processed_events;
ALTER INDEX inbox_pkey RENAME TO processed_events_pkey;
