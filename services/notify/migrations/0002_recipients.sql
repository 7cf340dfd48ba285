-- Who to tell about a child: a projection of child.registered.
CREATE TABLE recipients (
    child_id     uuid  NOT NULL,
    guardian_id  uuid  NOT NULL,
    child_name   text  NOT NULL,
    display_name text  NOT NULL,
    channels     jsonb NOT NULL,
    PRIMARY KEY (child_id, guardian_id)
);
