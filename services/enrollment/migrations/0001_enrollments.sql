CREATE TABLE children (
    child_id      uuid PRIMARY KEY,
    union_id      uuid        NOT NULL,
    display_name  text        NOT NULL,
    birth_date    date        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE guardians (
    guardian_id   uuid PRIMARY KEY,
    child_id      uuid        NOT NULL REFERENCES children,
    display_name  text        NOT NULL,
    channels      jsonb       NOT NULL
);
CREATE INDEX guardians_child ON guardians (child_id);

CREATE TABLE enrollments (
    enrollment_id   uuid PRIMARY KEY,
    child_id        uuid        NOT NULL REFERENCES children,
    union_id        uuid        NOT NULL,
    class_id        uuid        NOT NULL,
    site_id         uuid        NOT NULL,
    days            date[]      NOT NULL,
    fee_per_day_fen bigint      NOT NULL CHECK (fee_per_day_fen >= 0),
    status          text        NOT NULL DEFAULT 'confirmed',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enrollments_child ON enrollments (child_id);
