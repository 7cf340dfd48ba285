"""Idempotency keys for commands that create something: a retried request returns the first
response instead of creating a second thing. The key is bound to the request body; reusing it
for a different body is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from shared.errors import CommandRejected


async def run_once(
    tx: asyncpg.Connection,
    *,
    scope: str,
    key: str,
    request: Any,
    command: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> tuple[int, dict[str, Any]]:
    """Run ``command`` inside ``tx`` unless ``(scope, key)`` already ran; return (status, body)."""
    request_hash = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
    # Claim the key: a concurrent request with the same key waits on the row until this
    # transaction ends, then finds the stored answer (or, if this one rolled back, runs itself).
    claimed = await tx.fetchval(
        """INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
           VALUES ($1, $2, $3, 0, 'null') ON CONFLICT (scope, key) DO NOTHING RETURNING true""",
        scope, key, request_hash)
    if not claimed:
        stored = await tx.fetchrow(
            "SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope=$1 AND key=$2", scope, key)
        if stored["request_hash"] != request_hash:
            raise CommandRejected(422, [{"field": "Idempotency-Key",
                                         "reason": "this key was already used for a different request"}])
        return stored["status_code"], stored["response"]
    status, body = await command()
    await tx.execute("UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2",
                     scope, key, status, body)
    return status, body
