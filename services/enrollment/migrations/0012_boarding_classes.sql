-- Weekly boarding (周托): children of such a class stay the nights between their booked days.
ALTER TABLE classes ADD COLUMN boarding boolean NOT NULL DEFAULT false;
