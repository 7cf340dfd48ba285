-- What insurers were told of each child's cover in a programme (the covered period): the insurer
-- hears once that a cover is needed, and of later days as updates of the same cover.
CREATE TABLE insurance_covers (
    child_id     uuid   NOT NULL,
    programme_id uuid   NOT NULL,
    days         date[] NOT NULL,
    PRIMARY KEY (child_id, programme_id)
);
