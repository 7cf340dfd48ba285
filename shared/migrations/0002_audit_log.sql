-- Who did what, when, and in which service: every HTTP command, accepted or refused.
CREATE TABLE audit_log (
    audit_id          bigserial PRIMARY KEY,
    at                timestamptz NOT NULL DEFAULT now(),
    service           text        NOT NULL,
    actor_sub         text        NOT NULL,
    actor_role        text        NOT NULL,
    actor_union_id    uuid,
    actor_provider_id uuid,
    actor_member_id   uuid,
    action            text        NOT NULL,   -- e.g. 'POST /bookings/{booking_id}/cancellation'
    target            jsonb       NOT NULL,   -- the path parameters
    idempotency_key   text        NOT NULL,
    status_code       integer     NOT NULL,
    correlation_id    uuid        NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_sub, at);
