CREATE TABLE applications (
    application_id uuid PRIMARY KEY,
    enrollment_id  uuid        NOT NULL UNIQUE,
    child_id       uuid        NOT NULL,
    union_id       uuid,
    days           integer     NOT NULL CHECK (days > 0),
    fee_fen        bigint      NOT NULL CHECK (fee_fen >= 0),
    status         text        NOT NULL DEFAULT 'requested',
    opened_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_child ON applications (child_id);
