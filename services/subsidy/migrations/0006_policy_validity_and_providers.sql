-- A policy may pay only within its dates (both inclusive; NULL: open) and only for bookings at
-- the providers it names (empty: every provider). Existing policies keep paying as before.
ALTER TABLE policies
    ADD COLUMN valid_from   date,
    ADD COLUMN valid_until  date,
    ADD COLUMN provider_ids uuid[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT policies_validity CHECK (valid_until >= valid_from);
