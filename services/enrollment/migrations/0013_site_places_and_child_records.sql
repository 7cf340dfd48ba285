-- A site's street address and district, so that a parent can find a class near home (optional:
-- sites created before have none); a child's allergies and health notes, which the staff on duty
-- see on the roster. Pick-up adults keep their ID-card number in the authorised_adults JSON.
ALTER TABLE sites
    ADD COLUMN address  text,
    ADD COLUMN district text;
CREATE INDEX sites_district ON sites (district) WHERE district IS NOT NULL;

ALTER TABLE children
    ADD COLUMN allergies    text,
    ADD COLUMN health_notes text;
