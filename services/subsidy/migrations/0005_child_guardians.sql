-- Who each child's guardians are (from child.registered), so that a parent may read their own
-- child's applications and nobody else's.
CREATE TABLE child_guardians (
    child_id     uuid   PRIMARY KEY,
    guardian_ids uuid[] NOT NULL
);
