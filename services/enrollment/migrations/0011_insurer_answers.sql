-- Each insurer's answer about each cover it was told of. An insurer names a cover by the cover_id
-- it received (a pseudonym of its own), so the ids each insurer was given are kept to find the child.
CREATE TABLE insurer_covers (
    insurer       text   NOT NULL,
    cover_id      text   NOT NULL,
    child_id      uuid   NOT NULL,
    programme_id  uuid   NOT NULL,
    union_id      uuid,
    status        text   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'refused')),
    policy_number text,
    PRIMARY KEY (insurer, cover_id),
    FOREIGN KEY (child_id, programme_id) REFERENCES insurance_covers
);
CREATE INDEX insurer_covers_child ON insurer_covers (child_id, programme_id);
