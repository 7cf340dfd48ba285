"""Check-ins with their health screening, staff on duty, site hours."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import asyncpg

from services.attendance.domain.hours import SiteHours
from shared.db import Conn


def holding_admission(child: str, day: str) -> str:
    """A subquery: the admission that holds for ``child`` on ``day`` (SQL expressions). That is the
    day's own, or, in a boarding class (周托), the one on an earlier day of the same stay (every day
    from it to ``day`` booked in that boarding class) with no hand-over on a day before ``day``, up
    to today (Asia/Shanghai): a day still to come is not attended yet."""
    return f"""SELECT b.checkin_id, b.class_id, b.site_id, b.at, b.day FROM checkins b
               WHERE b.child_id = {child} AND b.admitted AND b.day <= {day}
                 AND (b.day = {day} OR (
                      {day} <= (now() AT TIME ZONE 'Asia/Shanghai')::date
                      AND EXISTS (SELECT 1 FROM roster_entries s
                              WHERE s.child_id = b.child_id AND s.class_id = b.class_id AND s.boarding
                                AND s.day BETWEEN b.day AND {day}
                              HAVING count(DISTINCT s.day) = {day} - b.day + 1)
                      AND NOT EXISTS (SELECT 1 FROM handovers h
                                      WHERE h.child_id = b.child_id AND h.day >= b.day AND h.day < {day})))
               ORDER BY b.day DESC LIMIT 1"""


async def admission(conn: Conn, child_id: uuid.UUID, day: dt.date) -> asyncpg.Record | None:
    """The child's admission that holds on ``day``: see :func:`holding_admission`."""
    return await conn.fetchrow(holding_admission("$1", "$2::date"), child_id, day)


def _checkin_values(
    checkin_id: uuid.UUID,
    entry: asyncpg.Record,
    at: dt.datetime,
    by_staff: str,
    temperature_c: float,
    symptoms: list[str],
) -> tuple[object, ...]:
    """A check-in's columns from ``checkin_id`` to ``symptoms``, in the order both inserts list them."""
    return (
        checkin_id,
        entry["child_id"],
        entry["class_id"],
        entry["site_id"],
        entry["booking_id"],
        entry["day"],
        at,
        by_staff,
        temperature_c,
        symptoms,
    )


async def insert_checkin(
    tx: asyncpg.Connection,
    checkin_id: uuid.UUID,
    entry: asyncpg.Record,
    *,
    at: dt.datetime,
    by_staff: str,
    temperature_c: float,
    symptoms: list[str],
    admitted: bool,
) -> None:
    await tx.execute(
        """INSERT INTO checkins (checkin_id, child_id, class_id, site_id, booking_id, day, at, by_staff,
                                 temperature_c, symptoms, admitted)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
        *_checkin_values(checkin_id, entry, at, by_staff, temperature_c, symptoms),
        admitted,
    )


async def admit(
    tx: asyncpg.Connection,
    checkin_id: uuid.UUID,
    entry: asyncpg.Record,
    *,
    at: dt.datetime,
    by_staff: str,
    temperature_c: float,
    symptoms: list[str],
) -> bool:
    """Record an admission, and with it stop watching for the child's absence (or undo one marked).
    False when the child was already admitted that day (nothing changes then)."""
    return bool(
        await tx.fetchval(
            """WITH admitted AS (
               INSERT INTO checkins (checkin_id, child_id, class_id, site_id, booking_id, day, at, by_staff,
                                     temperature_c, symptoms, admitted)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true)
               ON CONFLICT (child_id, day) WHERE admitted DO NOTHING RETURNING child_id, day),
           watch_ended AS (
               DELETE FROM timers t USING admitted a
               WHERE t.kind = 'absence' AND t.child_id = a.child_id AND t.day = a.day AND t.fired_at IS NULL),
           absence_undone AS (
               DELETE FROM absences x USING admitted a WHERE x.child_id = a.child_id AND x.day = a.day)
           SELECT count(*) FROM admitted""",
            *_checkin_values(checkin_id, entry, at, by_staff, temperature_c, symptoms),
        )
    )


async def mark_absent(tx: asyncpg.Connection, child_id: uuid.UUID, day: dt.date, class_id: uuid.UUID) -> None:
    await tx.execute(
        "INSERT INTO absences (child_id, day, class_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        child_id,
        day,
        class_id,
    )


async def present_and_staff(conn: Conn, class_id: uuid.UUID, day: dt.date) -> tuple[int, int]:
    """Children present (admitted that day, or boarding since an earlier day of their stay; not yet
    picked up) and staff on duty in a class on a day."""
    row = await conn.fetchrow(
        f"""SELECT (SELECT count(*) FROM checkins ci WHERE ci.class_id = $1 AND ci.day = $2 AND ci.admitted
                    AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.child_id = ci.child_id AND h.day = ci.day))
                 + (SELECT count(*) FROM roster_entries e
                    JOIN LATERAL ({holding_admission("e.child_id", "e.day")}) b ON b.class_id = e.class_id
                    WHERE e.class_id = $1 AND e.day = $2 AND e.boarding AND b.day < e.day
                    AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.child_id = e.child_id AND h.day = e.day)),
                  (SELECT count(*) FROM staff_on_duty WHERE class_id = $1 AND day = $2)""",
        class_id,
        day,
    )
    assert row is not None  # a SELECT without FROM returns one row
    return row[0], row[1]


async def lock_class_day(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date) -> None:
    """Serialise the check-ins of one class and day, so the staffing count is exact."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", str(class_id), day.isoformat())


async def staff_on_duty(conn: Conn, class_id: uuid.UUID, day: dt.date) -> list[dict]:
    rows = await conn.fetch(
        "SELECT staff_name, role FROM staff_on_duty WHERE class_id = $1 AND day = $2 ORDER BY staff_name", class_id, day
    )
    return [dict(r) for r in rows]


async def hours_of(conn: Conn, site_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SiteHours]:
    """Each site's hours; a site that never set them keeps the defaults."""
    wanted = set(site_ids)
    rows = await conn.fetch(
        """SELECT site_id, checkin_cutoff, closing, grace_minutes, escalation_interval_s FROM site_hours
           WHERE site_id = ANY($1::uuid[])""",
        list(wanted),
    )
    found = {r["site_id"]: SiteHours(**{k: v for k, v in r.items() if k != "site_id"}) for r in rows}
    return {site: found.get(site, SiteHours()) for site in wanted}


async def set_hours(
    tx: asyncpg.Connection, site_id: uuid.UUID, h: SiteHours, lead_name: str | None, lead_phone: str | None
) -> None:
    await tx.execute(
        """INSERT INTO site_hours (site_id, checkin_cutoff, closing, grace_minutes, escalation_interval_s,
                                   site_lead_name, site_lead_phone) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (site_id) DO UPDATE SET checkin_cutoff = EXCLUDED.checkin_cutoff, closing = EXCLUDED.closing,
               grace_minutes = EXCLUDED.grace_minutes, escalation_interval_s = EXCLUDED.escalation_interval_s,
               site_lead_name = EXCLUDED.site_lead_name, site_lead_phone = EXCLUDED.site_lead_phone""",
        site_id,
        h.checkin_cutoff,
        h.closing,
        h.grace_minutes,
        h.escalation_interval_s,
        lead_name,
        lead_phone,
    )


async def raise_alarm(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date) -> bool:
    """Mark the class-day's staffing alarm raised; True only when it was not raised already."""
    return bool(
        await tx.fetchval(
            """INSERT INTO staffing_alarms (class_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true""",
            class_id,
            day,
        )
    )


async def clear_alarm(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date) -> bool:
    """Clear the class-day's staffing alarm; True only when it was raised."""
    return bool(
        await tx.fetchval("DELETE FROM staffing_alarms WHERE class_id = $1 AND day = $2 RETURNING true", class_id, day)
    )
