"""Staffing by role: sites' staffing rules, staff on duty with their qualifications, role alarms."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.db import Conn

ANY_CLASS_TYPE = "*"


async def set_rule(
    tx: asyncpg.Connection, site_id: uuid.UUID, class_type: str | None, roles: list[dict], by: str, at: dt.datetime
) -> None:
    await tx.execute(
        """INSERT INTO staffing_rules (site_id, class_type, roles, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (site_id, class_type) DO UPDATE SET roles = EXCLUDED.roles, set_by = EXCLUDED.set_by,
               set_at = EXCLUDED.set_at""",
        site_id,
        class_type or ANY_CLASS_TYPE,
        roles,
        by,
        at,
    )


async def rule_for(conn: Conn, site_id: uuid.UUID, class_type: str) -> list[dict[str, Any]] | None:
    """The roles a class of ``class_type`` at the site needs: its class type's rule, else the site's."""
    return await conn.fetchval(
        """SELECT roles FROM staffing_rules WHERE site_id = $1 AND class_type IN ($2, $3)
           ORDER BY class_type = $3 LIMIT 1""",
        site_id,
        class_type,
        ANY_CLASS_TYPE,
    )


async def record(
    tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, name: str, role: str, qualifications: list[dict]
) -> None:
    await tx.execute(
        """INSERT INTO staff_on_duty (class_id, day, staff_name, role, qualifications) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (class_id, day, staff_name) DO UPDATE SET role = EXCLUDED.role,
               qualifications = EXCLUDED.qualifications""",
        class_id,
        day,
        name,
        role,
        qualifications,
    )


async def on_duty(conn: Conn, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Staff on duty with their roles and qualifications."""
    rows = await conn.fetch(
        """SELECT staff_name, role, qualifications FROM staff_on_duty WHERE class_id = $1 AND day = $2
           ORDER BY staff_name""",
        class_id,
        day,
    )
    return [dict(r) for r in rows]


async def children_booked(conn: Conn, class_id: uuid.UUID, day: dt.date) -> int:
    return await conn.fetchval("SELECT count(*) FROM roster_entries WHERE class_id = $1 AND day = $2", class_id, day)


async def raised_roles(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date) -> set[str]:
    rows = await tx.fetch("SELECT role FROM role_alarms WHERE class_id = $1 AND day = $2", class_id, day)
    return {r["role"] for r in rows}


async def raise_roles(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, roles: list[str]) -> None:
    await tx.execute(
        """INSERT INTO role_alarms (class_id, day, role) SELECT $1, $2, unnest($3::text[])
           ON CONFLICT DO NOTHING""",
        class_id,
        day,
        roles,
    )


async def clear_roles(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, roles: list[str]) -> None:
    await tx.execute(
        "DELETE FROM role_alarms WHERE class_id = $1 AND day = $2 AND role = ANY($3::text[])", class_id, day, roles
    )


async def raise_lapse(
    tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, staff_name: str, qualification: str
) -> bool:
    """Remember a lapsed qualification's alarm; True only the first time for the class-day."""
    return bool(
        await tx.fetchval(
            """INSERT INTO qualification_alarms (class_id, day, staff_name, qualification) VALUES ($1, $2, $3, $4)
               ON CONFLICT DO NOTHING RETURNING true""",
            class_id,
            day,
            staff_name,
            qualification,
        )
    )
