-- The family's side of the money: one statement per booking (its term), a line per booked day,
-- the payments received and the refunds issued. The CHECKs are the last line of defence: no code
-- path can commit a statement the family has overpaid, or a refund of more than was paid.
CREATE TABLE statements (
    booking_id      uuid PRIMARY KEY,
    child_id        uuid     NOT NULL,
    class_id        uuid     NOT NULL,
    programme_id    uuid     NOT NULL,
    provider_id     uuid     NOT NULL,
    union_path      uuid[]   NOT NULL,
    fee_per_day_fen bigint   NOT NULL CHECK (fee_per_day_fen >= 0),
    revision        integer  NOT NULL DEFAULT 0 CHECK (revision >= 0),
    fee_fen         bigint   NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    subsidy_fen     bigint   NOT NULL DEFAULT 0 CHECK (subsidy_fen >= 0),
    family_fen      bigint   NOT NULL DEFAULT 0 CHECK (family_fen >= 0),
    paid_fen        bigint   NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    refunded_fen    bigint   NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
    issued_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT statements_never_overpaid CHECK (paid_fen - refunded_fen BETWEEN 0 AND family_fen)
);
CREATE INDEX statements_child ON statements (child_id);
CREATE INDEX statements_class ON statements (class_id);

CREATE TABLE statement_days (
    booking_id  uuid   NOT NULL REFERENCES statements,
    day         date   NOT NULL,
    state       text   NOT NULL CHECK (state IN ('booked', 'attended', 'absent', 'given_up_early', 'given_up_late')),
    fee_fen     bigint NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    subsidy_fen bigint NOT NULL DEFAULT 0 CHECK (subsidy_fen >= 0 AND subsidy_fen <= fee_fen),
    PRIMARY KEY (booking_id, day)
);

CREATE TABLE payments (
    payment_id  uuid PRIMARY KEY,
    booking_id  uuid   NOT NULL REFERENCES statements,
    amount_fen  bigint NOT NULL CHECK (amount_fen > 0),
    source      text   NOT NULL CHECK (source IN ('staff', 'gateway')),
    method      text   NOT NULL,
    reference   text   NOT NULL,
    recorded_by text   NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, reference)
);
CREATE INDEX payments_booking ON payments (booking_id);

CREATE TABLE refunds (
    refund_id  uuid PRIMARY KEY,
    booking_id uuid   NOT NULL REFERENCES statements,
    amount_fen bigint NOT NULL CHECK (amount_fen > 0),
    reason     text   NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_booking ON refunds (booking_id);
