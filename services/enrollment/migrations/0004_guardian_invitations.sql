-- A guardian other than the registering parent is invited, and linked to the child (may see the
-- child, is told about the child, counts for the child's priority group) only once they accept.
-- Guardianships that exist already were linked at registration: they count as accepted.
ALTER TABLE guardianships
    ADD COLUMN invited_by  uuid,
    ADD COLUMN accepted_at timestamptz DEFAULT now();
ALTER TABLE guardianships ALTER COLUMN accepted_at DROP DEFAULT;
CREATE INDEX guardianships_invited ON guardianships (guardian_id) WHERE accepted_at IS NULL;
