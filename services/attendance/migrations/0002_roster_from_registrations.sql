-- Children now arrive with child.registered (guardians, pick-up adults, emergency contact), and
-- bookings replace the skeleton's enrollments.
ALTER TABLE roster_children
    ADD COLUMN priority_group    text,
    ADD COLUMN authorised_adults jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN emergency_contact jsonb;
ALTER TABLE roster_entries RENAME COLUMN enrollment_id TO booking_id;
