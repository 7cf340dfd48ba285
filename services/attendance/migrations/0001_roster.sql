-- The roster is a projection of enrollment events; attendance never reads enrollment's database.
CREATE TABLE roster_children (
    child_id      uuid PRIMARY KEY,
    union_id      uuid,
    display_name  text  NOT NULL,
    guardians     jsonb NOT NULL
);

CREATE TABLE roster_entries (
    enrollment_id uuid NOT NULL,
    child_id      uuid NOT NULL REFERENCES roster_children,
    class_id      uuid NOT NULL,
    site_id       uuid NOT NULL,
    day           date NOT NULL,
    PRIMARY KEY (child_id, class_id, day)
);
CREATE INDEX roster_entries_class_day ON roster_entries (class_id, day);
