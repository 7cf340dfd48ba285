-- A union's refund rule for the classes below it: a day given up at least notice_days days before
-- it is refunded in full, later not. The deepest union on a class's path with a rule decides;
-- without any, the default in services/subsidy/domain/statements.py applies.
CREATE TABLE refund_rules (
    union_id    uuid PRIMARY KEY,
    notice_days integer NOT NULL CHECK (notice_days BETWEEN 0 AND 60),
    set_by      text    NOT NULL,
    set_at      timestamptz NOT NULL DEFAULT now()
);
