-- Funds that can never be overspent, combinable policies, and a ledger of what each
-- application reserves, spends and releases per day.
ALTER TABLE applications DROP CONSTRAINT applications_enrollment_id_key;
ALTER TABLE applications
    ADD COLUMN source_event_id uuid UNIQUE,
    ADD COLUMN class_id        uuid,
    ADD COLUMN programme_id    uuid,
    ADD COLUMN priority_group  text,
    ADD COLUMN union_path      uuid[],
    ADD COLUMN amount_fen      bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    ADD COLUMN decided_by      text,
    ADD COLUMN decided_at      timestamptz,
    ADD COLUMN reason          text;
ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (status IN
    ('requested', 'not_applicable', 'pending_review', 'approved', 'rejected', 'settled', 'cancelled'));
CREATE INDEX applications_booking ON applications (booking_id);
CREATE INDEX applications_union_path ON applications USING gin (union_path);

CREATE TABLE funds (
    fund_id           uuid PRIMARY KEY,
    union_id          uuid   NOT NULL,
    name              text   NOT NULL,
    budget_fen        bigint NOT NULL CHECK (budget_fen > 0),
    reserved_fen      bigint NOT NULL DEFAULT 0 CHECK (reserved_fen >= 0),
    spent_fen         bigint NOT NULL DEFAULT 0 CHECK (spent_fen >= 0),
    low_alerted       boolean NOT NULL DEFAULT false,
    exhausted_alerted boolean NOT NULL DEFAULT false,
    -- The last line of defence: no code path can commit an overspent fund.
    CONSTRAINT funds_never_overspent CHECK (reserved_fen + spent_fen <= budget_fen)
);

CREATE TABLE policies (
    policy_id              uuid PRIMARY KEY,
    union_id               uuid    NOT NULL,
    fund_id                uuid    NOT NULL REFERENCES funds,
    kind                   text    NOT NULL CHECK (kind IN ('priority_full', 'member_percent', 'per_day', 'fund_grant')),
    percent_bp             integer CHECK (percent_bp BETWEEN 1 AND 10000),
    amount_per_day_fen     bigint  CHECK (amount_per_day_fen > 0),
    groups                 text[]  NOT NULL DEFAULT '{}',
    class_ids              uuid[]  NOT NULL DEFAULT '{}',
    cap_per_child_fen      bigint  CHECK (cap_per_child_fen > 0),
    cap_per_programme_fen  bigint  CHECK (cap_per_programme_fen > 0),
    auto_approve_up_to_fen bigint  CHECK (auto_approve_up_to_fen >= 0),
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policies_union ON policies (union_id);

CREATE TABLE programme_usage (
    policy_id    uuid   NOT NULL REFERENCES policies,
    programme_id uuid   NOT NULL,
    used_fen     bigint NOT NULL CHECK (used_fen >= 0),
    PRIMARY KEY (policy_id, programme_id)
);

CREATE TABLE application_lines (
    application_id uuid   NOT NULL REFERENCES applications,
    policy_id      uuid   NOT NULL REFERENCES policies,
    fund_id        uuid   NOT NULL REFERENCES funds,
    day            date   NOT NULL,
    amount_fen     bigint NOT NULL CHECK (amount_fen > 0),
    state          text   NOT NULL CHECK (state IN ('proposed', 'reserved', 'spent', 'released')),
    PRIMARY KEY (application_id, policy_id, day)
);
CREATE INDEX application_lines_fund ON application_lines (fund_id, state);
