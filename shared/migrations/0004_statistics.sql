-- Statistics for partners (shared/statistics.py): each fact counted once, in the transaction that
-- records it; a timer publishes each closed period's cells once and records the period here.
-- Enrollment, attendance and subsidy count facts; notify has the tables and leaves them empty.
CREATE TABLE IF NOT EXISTS statistics_facts (
    measure        text        NOT NULL,
    fact_id        text        NOT NULL,
    union_id       uuid        NOT NULL,
    child_id       uuid        NOT NULL,
    class_type     text,
    priority_group text,
    amount_fen     bigint,
    at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (measure, fact_id)
);
CREATE INDEX IF NOT EXISTS statistics_facts_at ON statistics_facts (at);

CREATE TABLE IF NOT EXISTS statistics_periods (
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period_start, period_end)
);
