"""Unions, providers, networks, sites, programmes and classes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.enrollment.domain.commands import CreateClass, CreateProgramme, CreateSite
from shared.db import Conn


async def insert_union(tx: Conn, union_id: uuid.UUID, name: str, level: str, parent: asyncpg.Record | None) -> None:
    ancestors = [*(parent["ancestors"] if parent else []), union_id]
    await tx.execute(
        "INSERT INTO unions (union_id, parent_id, name, level, ancestors) VALUES ($1, $2, $3, $4, $5)",
        union_id,
        parent["union_id"] if parent else None,
        name,
        level,
        ancestors,
    )


async def get_union(conn: Conn, union_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT union_id, parent_id, name, level, ancestors FROM unions WHERE union_id = $1", union_id
    )


async def is_within(conn: Conn, union_id: uuid.UUID, root_id: uuid.UUID) -> bool:
    """Whether ``union_id`` is ``root_id`` or below it."""
    return bool(await conn.fetchval("SELECT $2 = ANY(ancestors) FROM unions WHERE union_id = $1", union_id, root_id))


async def insert_provider(tx: Conn, provider_id: uuid.UUID, union_id: uuid.UUID, name: str) -> None:
    await tx.execute(
        "INSERT INTO providers (provider_id, union_id, name) VALUES ($1, $2, $3)", provider_id, union_id, name
    )


async def get_provider(conn: Conn, provider_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT provider_id, union_id, name FROM providers WHERE provider_id = $1", provider_id)


async def insert_network(tx: Conn, network_id: uuid.UUID, union_id: uuid.UUID, name: str) -> None:
    await tx.execute(
        "INSERT INTO networks (network_id, union_id, name) VALUES ($1, $2, $3)", network_id, union_id, name
    )


async def get_network(conn: Conn, network_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT network_id, union_id, name FROM networks WHERE network_id = $1", network_id)


async def insert_site(tx: Conn, site_id: uuid.UUID, union_id: uuid.UUID, cmd: CreateSite) -> None:
    await tx.execute(
        """INSERT INTO sites (site_id, network_id, union_id, provider_id, role, name, address, district)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        site_id,
        cmd.network_id,
        union_id,
        cmd.provider_id,
        cmd.role,
        cmd.name,
        cmd.address,
        cmd.district,
    )


async def get_site(conn: Conn, site_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT site_id, network_id, union_id, provider_id, role, name, address, district FROM sites WHERE site_id = $1",
        site_id,
    )


async def hub_of(conn: Conn, network_id: uuid.UUID) -> uuid.UUID | None:
    return await conn.fetchval("SELECT site_id FROM sites WHERE network_id = $1 AND role = 'hub'", network_id)


async def insert_programme(
    tx: Conn, programme_id: uuid.UUID, union_id: uuid.UUID, cmd: CreateProgramme, priority_order: list[str]
) -> None:
    await tx.execute(
        """INSERT INTO programmes (programme_id, network_id, union_id, name, season, starts_on, ends_on, priority_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        programme_id,
        cmd.network_id,
        union_id,
        cmd.name,
        cmd.season,
        cmd.starts_on,
        cmd.ends_on,
        priority_order,
    )


async def get_programme(conn: Conn, programme_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT programme_id, network_id, union_id, name, season, starts_on, ends_on, priority_order
           FROM programmes WHERE programme_id = $1""",
        programme_id,
    )


async def insert_class(
    tx: Conn,
    class_id: uuid.UUID,
    union_id: uuid.UUID,
    cmd: CreateClass,
    ages: tuple[int, int],
    contract_id: uuid.UUID,
) -> None:
    await tx.execute(
        """INSERT INTO classes (class_id, programme_id, site_id, union_id, name, class_type, min_age_months,
                                max_age_months, capacity_per_day, booking_mode, fee_per_day_fen, registration_opens_at,
                                contract_id, boarding)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        class_id,
        cmd.programme_id,
        cmd.site_id,
        union_id,
        cmd.name,
        cmd.class_type,
        ages[0],
        ages[1],
        cmd.capacity_per_day,
        cmd.booking_mode,
        cmd.fee_per_day_fen,
        cmd.registration_opens_at,
        contract_id,
        cmd.boarding,
    )
    await tx.executemany(
        "INSERT INTO class_days (class_id, day, capacity) VALUES ($1, $2, $3)",
        [(class_id, day, cmd.capacity_per_day) for day in cmd.days],
    )
    await tx.executemany(
        "INSERT INTO class_quotas (class_id, priority_group, seats, release_at) VALUES ($1, $2, $3, $4)",
        [(class_id, q.priority_group, q.seats, q.release_at) for q in cmd.quotas],
    )


CLASS_COLUMNS = """c.class_id, c.programme_id, c.site_id, c.union_id, c.name, c.class_type, c.min_age_months,
    c.max_age_months, c.capacity_per_day, c.booking_mode, c.fee_per_day_fen, c.registration_opens_at,
    c.contract_id, c.boarding, s.provider_id, s.network_id, p.priority_order,
    (SELECT ancestors FROM unions u WHERE u.union_id = c.union_id) AS union_path,
    ARRAY(SELECT day FROM class_days d WHERE d.class_id = c.class_id ORDER BY day) AS days"""


async def get_class(conn: Conn, class_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {CLASS_COLUMNS} FROM classes c JOIN sites s USING (site_id)
            JOIN programmes p USING (programme_id) WHERE c.class_id = $1""",
        class_id,
    )


async def quotas_of(conn: Conn, class_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT priority_group, seats, release_at FROM class_quotas WHERE class_id = $1 ORDER BY priority_group",
        class_id,
    )
    return [dict(r) for r in rows]


async def figures(conn: Conn, union_id: uuid.UUID, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """Children with confirmed days in classes run within the union's subtree, by priority group."""
    rows = await conn.fetch(
        """SELECT b.priority_group, count(DISTINCT bd.child_id) AS children, count(*) AS child_days
           FROM booking_days bd JOIN bookings b USING (booking_id) JOIN classes c ON c.class_id = bd.class_id
           JOIN unions u ON u.union_id = c.union_id
           WHERE bd.state = 'confirmed' AND $1 = ANY(u.ancestors)
             AND ($2::date IS NULL OR bd.day >= $2) AND ($3::date IS NULL OR bd.day <= $3)
           GROUP BY ROLLUP (b.priority_group)""",
        union_id,
        start,
        end,
    )
    total = next((r for r in rows if r["priority_group"] is None), None)
    return {
        "children_enrolled": total["children"] if total else 0,
        "child_days": total["child_days"] if total else 0,
        "by_priority_group": {
            r["priority_group"]: {"children": r["children"], "child_days": r["child_days"]}
            for r in rows
            if r["priority_group"] is not None
        },
    }


LISTED_CLASS = """c.class_id, c.name, c.class_type, c.programme_id, p.name AS programme_name, p.season, c.union_id,
    c.site_id, s.name AS site_name, s.address, s.district, s.provider_id, c.min_age_months, c.max_age_months,
    c.booking_mode, c.fee_per_day_fen, c.capacity_per_day, c.registration_opens_at"""


async def search_classes(conn: Conn, f: dict[str, Any], scope: dict[str, Any], limit: int, offset: int) -> list[dict]:
    """Classes matching the filters ``f`` (each optional) that the ``scope`` lets the caller see, by
    first day then name: with a day in [from, to], and (``free``) a seat free on one of those days
    in some pool (the seats taken fall short of the day's capacity: a quota's seats count as free)."""
    rows = await conn.fetch(
        f"""SELECT {LISTED_CLASS}, w.first_day, w.last_day, w.days_in_range, w.days_with_free_seats
            FROM classes c JOIN sites s USING (site_id) JOIN programmes p USING (programme_id)
            JOIN unions u ON u.union_id = c.union_id
            CROSS JOIN LATERAL (
                SELECT min(d.day) AS first_day, max(d.day) AS last_day, count(*) AS days_in_range,
                       count(*) FILTER (WHERE d.capacity > coalesce(
                           (SELECT sum(t.taken) FROM seat_counts t WHERE t.class_id = d.class_id AND t.day = d.day), 0))
                           AS days_with_free_seats
                FROM class_days d WHERE d.class_id = c.class_id AND d.day BETWEEN $1 AND $2) w
            WHERE w.days_in_range > 0 AND (NOT $3 OR w.days_with_free_seats > 0)
              AND ($4::uuid IS NULL OR c.programme_id = $4)
              AND ($5::uuid IS NULL OR $5 = ANY(u.ancestors))
              AND ($6::text IS NULL OR s.district = $6)
              AND ($7::uuid IS NULL OR c.site_id = $7)
              AND ($8::int IS NULL OR (c.min_age_months < ($8 + 1) * 12 AND c.max_age_months > $8 * 12))
              AND ($9::text IS NULL OR c.class_type = $9)
              AND ($10::uuid IS NULL
                   OR EXISTS (SELECT 1 FROM unions m WHERE m.union_id = $10 AND c.union_id = ANY(m.ancestors)))
              AND ($11::uuid IS NULL OR $11 = ANY(u.ancestors))
              AND ($12::uuid IS NULL OR s.provider_id = $12)
            ORDER BY w.first_day, c.name, c.class_id LIMIT $13 OFFSET $14""",
        f["start"],
        f["end"],
        f["free"],
        f["programme_id"],
        f["union_id"],
        f["district"],
        f["site_id"],
        f["age_years"],
        f["class_type"],
        scope.get("member_of"),
        scope.get("within"),
        scope.get("provider_id"),
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def classes_within(conn: Conn, union_id: uuid.UUID, limit: int, offset: int) -> list[dict]:
    """The classes run by the union and the unions below it, by name (a page)."""
    rows = await conn.fetch(
        f"""SELECT {LISTED_CLASS} FROM classes c JOIN sites s USING (site_id) JOIN programmes p USING (programme_id)
            JOIN unions u ON u.union_id = c.union_id
            WHERE $1 = ANY(u.ancestors) ORDER BY c.name, c.class_id LIMIT $2 OFFSET $3""",
        union_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]
