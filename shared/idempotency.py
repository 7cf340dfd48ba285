"""Idempotency keys for commands that create something: a retried request returns the first
response instead of creating a second thing. The key is bound to the request body; reusing it
for a different body is refused. Keys expire: after ``<SVC>_IDEMPOTENCY_RETENTION_HOURS`` a key is
forgotten (:func:`forget_expired`), and reusing it then runs the command anew."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import asyncpg

from shared.errors import Invalid


async def claim(tx: asyncpg.Connection, *, scope: str, key: str, request: Any) -> tuple[int, dict[str, Any]] | None:
    """Claim ``(scope, key)`` for this transaction; None when the command is to run, or the stored
    ``(status, body)`` of the first run. A concurrent request with the same key waits on the
    claimed row until this transaction ends, then finds the stored answer (or, if this one rolled
    back, claims the key itself). Reusing a key for a different request is refused."""
    request_hash = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
    claimed = await tx.fetchval(
        """INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
           VALUES ($1, $2, $3, 0, 'null') ON CONFLICT (scope, key) DO NOTHING RETURNING true""",
        scope,
        key,
        request_hash,
    )
    if claimed:
        return None
    stored = await tx.fetchrow(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope=$1 AND key=$2", scope, key
    )
    if stored is None:  # swept by forget_expired between the two statements: as before, the request fails
        raise RuntimeError(f"idempotency key {key!r} expired while it was being claimed")
    if stored["request_hash"] != request_hash:
        raise Invalid("this key was already used for a different request", field="Idempotency-Key")
    return stored["status_code"], stored["response"]


REMEMBER = "UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2"


async def remember(tx: asyncpg.Connection, *, scope: str, key: str, status: int, body: dict[str, Any]) -> None:
    """Store the answer of a claimed key, for the retries to come."""
    await tx.execute(REMEMBER, scope, key, status, body)


_PRUNE_EVERY_S = 600.0
_last_pruned = 0.0


async def forget_expired(pool: asyncpg.Pool, retention_hours: float, *, batch: int = 5000) -> int:
    """Delete keys older than ``retention_hours``, at most every ``_PRUNE_EVERY_S`` per process and
    ``batch`` rows per statement, so a backlog never holds a long lock. Returns the rows deleted."""
    global _last_pruned
    if time.monotonic() - _last_pruned < _PRUNE_EVERY_S:
        return 0
    _last_pruned = time.monotonic()
    deleted = 0
    while True:
        status = await pool.execute(
            """DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                   SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)
                   LIMIT $2))""",
            retention_hours * 3600,
            batch,
        )
        count = int(status.split()[-1])
        deleted += count
        if count < batch:
            return deleted
