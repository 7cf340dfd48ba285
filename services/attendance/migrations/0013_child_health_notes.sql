-- A child's allergies and health notes, from child.registered (a guardian may change them at any
-- time): the staff on duty read them on the day's roster.
ALTER TABLE roster_children
    ADD COLUMN allergies    text,
    ADD COLUMN health_notes text;
