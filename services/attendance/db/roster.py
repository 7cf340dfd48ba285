"""Queries of the attendance service (its own database only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.contracts.enrollment import BookingPromoted, ChildEnrolled, ChildRegistered

Conn = asyncpg.Connection | asyncpg.Pool


async def upsert_child(tx: asyncpg.Connection, event: ChildRegistered, union_id: uuid.UUID | None) -> None:
    await tx.execute(
        """INSERT INTO roster_children (child_id, union_id, display_name, guardians, priority_group,
                                        authorised_adults, emergency_contact)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name,
               guardians = EXCLUDED.guardians, priority_group = EXCLUDED.priority_group,
               authorised_adults = EXCLUDED.authorised_adults, emergency_contact = EXCLUDED.emergency_contact""",
        event.child_id, union_id, event.display_name, [g.model_dump(mode="json") for g in event.guardians],
        event.priority_group, [a.model_dump(mode="json") for a in event.authorised_adults],
        event.emergency_contact.model_dump(mode="json") if event.emergency_contact else None,
    )


async def add_roster_days(tx: asyncpg.Connection, event: ChildEnrolled | BookingPromoted) -> None:
    await tx.executemany(
        """INSERT INTO roster_entries (booking_id, child_id, class_id, site_id, day, provider_id, programme_id,
                                       class_type, union_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        [(event.booking_id, event.child_id, event.class_id, event.site_id, day, event.provider_id,
          event.programme_id, event.class_type, list(event.union_path)) for day in event.days],
    )


async def remove_roster_days(tx: asyncpg.Connection, booking_id: uuid.UUID, days: list[dt.date]) -> None:
    await tx.execute("DELETE FROM roster_entries WHERE booking_id = $1 AND day = ANY($2::date[])", booking_id, days)


async def roster(conn: Conn, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Each booked child with where they are today: expected, present, refused, absent or picked up."""
    rows = await conn.fetch(
        """SELECT c.child_id, c.display_name, e.booking_id, e.site_id,
                  CASE WHEN h.child_id IS NOT NULL THEN 'picked_up'
                       WHEN ci.child_id IS NOT NULL THEN 'present'
                       WHEN EXISTS (SELECT 1 FROM checkins r WHERE r.child_id = e.child_id AND r.day = e.day
                                    AND NOT r.admitted) THEN 'refused'
                       WHEN a.child_id IS NOT NULL THEN 'absent'
                       ELSE 'expected' END AS status,
                  ci.at AS checked_in_at, h.released_at AS picked_up_at, h.adult_name AS picked_up_by
           FROM roster_entries e JOIN roster_children c USING (child_id)
           LEFT JOIN checkins ci ON ci.child_id = e.child_id AND ci.day = e.day AND ci.admitted
           LEFT JOIN handovers h ON h.child_id = e.child_id AND h.day = e.day
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id
           WHERE e.class_id = $1 AND e.day = $2 ORDER BY c.display_name, c.child_id""",
        class_id, day,
    )
    return [dict(r) for r in rows]


async def entry(conn: Conn, child_id: uuid.UUID, day: dt.date, site_id: uuid.UUID | None = None) -> asyncpg.Record | None:
    """The child's roster entry for a day (at a site, when given), with what staff need to know."""
    return await conn.fetchrow(
        """SELECT e.booking_id, e.child_id, e.class_id, e.site_id, e.provider_id, e.programme_id, e.class_type,
                  e.union_path, e.day, c.display_name, c.guardians, c.authorised_adults, c.emergency_contact
           FROM roster_entries e JOIN roster_children c USING (child_id)
           WHERE e.child_id = $1 AND e.day = $2 AND ($3::uuid IS NULL OR e.site_id = $3)
           ORDER BY e.site_id = $3 DESC NULLS LAST LIMIT 1""",
        child_id, day, site_id)


async def class_facts(conn: Conn, class_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT class_id, site_id, provider_id, union_path, class_type FROM roster_entries
           WHERE class_id = $1 AND provider_id IS NOT NULL LIMIT 1""", class_id)


async def site_facts(conn: Conn, site_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT site_id, provider_id, union_path FROM roster_entries WHERE site_id = $1 AND provider_id IS NOT NULL LIMIT 1",
        site_id)


async def child_facts(conn: Conn, child_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT child_id, guardians FROM roster_children WHERE child_id = $1", child_id)


async def attended_days(conn: Conn, child_id: uuid.UUID, programme_id: uuid.UUID | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT e.programme_id, e.booking_id, count(*) AS booked_days,
                  count(ci.child_id) AS attended_days, count(a.child_id) AS absent_days
           FROM roster_entries e
           LEFT JOIN checkins ci ON ci.child_id = e.child_id AND ci.day = e.day AND ci.admitted
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id
           WHERE e.child_id = $1 AND ($2::uuid IS NULL OR e.programme_id = $2)
           GROUP BY e.programme_id, e.booking_id ORDER BY e.programme_id""", child_id, programme_id)
    return [dict(r) for r in rows]


async def figures(conn: Conn, union_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Per class in the union's subtree on a day: booked, present (ever admitted) and absent."""
    rows = await conn.fetch(
        """SELECT e.site_id, e.class_id, count(*) AS booked, count(ci.child_id) AS attended,
                  count(a.child_id) AS absent
           FROM roster_entries e
           LEFT JOIN checkins ci ON ci.child_id = e.child_id AND ci.day = e.day AND ci.admitted
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id
           WHERE e.day = $2 AND $1 = ANY(e.union_path)
           GROUP BY e.site_id, e.class_id ORDER BY e.site_id, e.class_id""", union_id, day)
    return [dict(r) for r in rows]
