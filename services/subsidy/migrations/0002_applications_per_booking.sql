ALTER TABLE applications RENAME COLUMN enrollment_id TO booking_id;
