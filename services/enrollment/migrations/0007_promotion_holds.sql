-- A waitlisted child's promoted seat can be held for the family until a deadline
-- (ENROLLMENT_PROMOTION_HOLD_S): confirmed (the seat is counted, nobody else takes it), and
-- given back to the waitlist when the family releases it or does not accept it by then.
ALTER TABLE booking_days ADD COLUMN hold_until timestamptz;
ALTER TABLE booking_days ADD CONSTRAINT booking_days_held_seat_confirmed CHECK (hold_until IS NULL OR state = 'confirmed');
CREATE INDEX booking_days_holds ON booking_days (hold_until) WHERE hold_until IS NOT NULL;
