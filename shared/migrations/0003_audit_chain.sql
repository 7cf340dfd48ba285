-- The audit trail's hash chain (shared/audit.py). Commands insert audit rows unchained, so no
-- command waits for another; a sealer later links every row whose transaction is certainly over
-- (its transaction id below the oldest one still running), in the order (xact, audit_id).
-- Like audit_log, the table is append-only for the service's runtime role (deploy/schema.py).
ALTER TABLE audit_log ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_xact ON audit_log (xact, audit_id);

CREATE TABLE audit_chain (
    position   bigint      PRIMARY KEY,           -- 1, 2, 3, ... in sealing order
    audit_id   bigint      NOT NULL UNIQUE,       -- the row this link seals
    xact       xid8        NOT NULL,              -- that row's transaction: where the next seal resumes
    prev_hash  bytea       NOT NULL,              -- the previous link's hash (32 zero bytes for the first)
    hash       bytea       NOT NULL,              -- sha256(prev_hash || canonical encoding of the row)
    sealed_at  timestamptz NOT NULL DEFAULT now()
);
