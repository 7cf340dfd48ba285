"""A site's daily logs: disinfection, the menu, food samples kept, the morning check."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.attendance.domain.commands import Disinfection, FoodSample, MorningCheck
from shared.db import Conn


async def add_disinfection(
    tx: asyncpg.Connection, site_id: uuid.UUID, day: dt.date, log_id: uuid.UUID, cmd: Disinfection, by: str
) -> None:
    await tx.execute(
        """INSERT INTO disinfections (disinfection_id, site_id, day, area, done_by, done_at, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        log_id,
        site_id,
        day,
        cmd.area,
        cmd.done_by,
        cmd.done_at,
        by,
    )


async def set_menu(
    tx: asyncpg.Connection, site_id: uuid.UUID, day: dt.date, meals: list[dict], by: str, at: dt.datetime
) -> None:
    await tx.execute(
        """INSERT INTO menus (site_id, day, meals, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (site_id, day) DO UPDATE SET meals = EXCLUDED.meals, recorded_by = EXCLUDED.recorded_by,
               recorded_at = EXCLUDED.recorded_at""",
        site_id,
        day,
        meals,
        by,
        at,
    )


async def keep_sample(
    tx: asyncpg.Connection, site_id: uuid.UUID, day: dt.date, sample_id: uuid.UUID, cmd: FoodSample, by: str
) -> None:
    await tx.execute(
        """INSERT INTO food_samples (sample_id, site_id, day, dish, amount_g, kept_at, kept_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        sample_id,
        site_id,
        day,
        cmd.dish,
        cmd.amount_g,
        cmd.kept_at,
        by,
    )


async def sample_for_update(tx: asyncpg.Connection, site_id: uuid.UUID, sample_id: uuid.UUID) -> asyncpg.Record | None:
    return await tx.fetchrow(
        "SELECT * FROM food_samples WHERE sample_id = $1 AND site_id = $2 FOR UPDATE", sample_id, site_id
    )


async def discard_sample(tx: asyncpg.Connection, sample_id: uuid.UUID, at: dt.datetime, by: str) -> None:
    await tx.execute(
        "UPDATE food_samples SET discarded_at = $2, discarded_by = $3 WHERE sample_id = $1", sample_id, at, by
    )


async def set_morning_check(
    tx: asyncpg.Connection, site_id: uuid.UUID, day: dt.date, cmd: MorningCheck, by: str
) -> None:
    await tx.execute(
        """INSERT INTO morning_checks (site_id, day, health_worker, checked_at, children_checked, notes, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (site_id, day) DO UPDATE SET health_worker = EXCLUDED.health_worker,
               checked_at = EXCLUDED.checked_at, children_checked = EXCLUDED.children_checked,
               notes = EXCLUDED.notes, recorded_by = EXCLUDED.recorded_by""",
        site_id,
        day,
        cmd.health_worker,
        cmd.checked_at,
        cmd.children_checked,
        cmd.notes,
        by,
    )


async def day_log(conn: Conn, site_id: uuid.UUID, day: dt.date) -> dict[str, Any]:
    """Everything logged at a site on a day."""
    disinfections = await conn.fetch(
        """SELECT disinfection_id, area, done_by, done_at FROM disinfections WHERE site_id = $1 AND day = $2
           ORDER BY done_at, disinfection_id""",
        site_id,
        day,
    )
    samples = await conn.fetch(
        """SELECT sample_id, dish, amount_g, kept_at, kept_by, discarded_at, discarded_by FROM food_samples
           WHERE site_id = $1 AND day = $2 ORDER BY kept_at, sample_id""",
        site_id,
        day,
    )
    menu = await conn.fetchval("SELECT meals FROM menus WHERE site_id = $1 AND day = $2", site_id, day)
    check = await conn.fetchrow(
        """SELECT health_worker, checked_at, children_checked, notes FROM morning_checks
           WHERE site_id = $1 AND day = $2""",
        site_id,
        day,
    )
    return {
        "disinfections": [dict(r) for r in disinfections],
        "menu": menu,
        "food_samples": [dict(r) for r in samples],
        "morning_check": dict(check) if check else None,
    }


async def logged_kinds(conn: Conn, site_ids: list[uuid.UUID], day: dt.date) -> dict[uuid.UUID, set[str]]:
    """For each site, the kinds of daily log it has for ``day``."""
    rows = await conn.fetch(
        """SELECT site_id, 'disinfection' AS kind FROM disinfections WHERE site_id = ANY($1::uuid[]) AND day = $2
           UNION SELECT site_id, 'menu' FROM menus WHERE site_id = ANY($1::uuid[]) AND day = $2
           UNION SELECT site_id, 'food_sample' FROM food_samples WHERE site_id = ANY($1::uuid[]) AND day = $2
           UNION SELECT site_id, 'morning_check' FROM morning_checks WHERE site_id = ANY($1::uuid[]) AND day = $2""",
        site_ids,
        day,
    )
    found: dict[uuid.UUID, set[str]] = {s: set() for s in site_ids}
    for r in rows:
        found[r["site_id"]].add(r["kind"])
    return found
