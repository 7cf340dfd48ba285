"""The webhook endpoints guardians registered, with their signing keys."""

from __future__ import annotations

import uuid
from typing import Any

from shared.db import Conn


async def register(conn: Conn, guardian_id: uuid.UUID, url: str, secret: str) -> uuid.UUID:
    """Keep the endpoint; registering a URL again gives it the new key (a rotation)."""
    return await conn.fetchval(
        """INSERT INTO webhook_endpoints (webhook_id, guardian_id, url, secret) VALUES ($1, $2, $3, $4)
           ON CONFLICT (guardian_id, url) DO UPDATE SET secret = EXCLUDED.secret, created_at = now()
           RETURNING webhook_id""",
        uuid.uuid4(),
        guardian_id,
        url,
        secret,
    )


async def endpoints(conn: Conn, guardian_id: uuid.UUID) -> list[dict[str, Any]]:
    """A guardian's endpoints, without their keys."""
    rows = await conn.fetch(
        """SELECT webhook_id, url, created_at FROM webhook_endpoints WHERE guardian_id = $1
                               ORDER BY created_at""",
        guardian_id,
    )
    return [dict(r) for r in rows]


async def remove(conn: Conn, guardian_id: uuid.UUID, webhook_id: uuid.UUID) -> str | None:
    """Forget the endpoint; its URL, or None if there was none."""
    return await conn.fetchval(
        "DELETE FROM webhook_endpoints WHERE guardian_id = $1 AND webhook_id = $2 RETURNING url",
        guardian_id,
        webhook_id,
    )
