"""Queries of the attendance service (its own database only)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from services.attendance.db.checkin import holding_admission
from services.attendance.domain.hours import SiteHours
from shared.contracts.enrollment import (
    BookingPromoted,
    ChildCoverConfirmed,
    ChildCoverRefused,
    ChildEnrolled,
    ChildRegistered,
)
from shared.db import Conn, columns, json_text


async def upsert_children(
    tx: asyncpg.Connection, registrations: Sequence[tuple[ChildRegistered, uuid.UUID | None]]
) -> None:
    """Who each child is and who may pick them up; the last registration of a child wins."""
    latest = {event.child_id: (event, union_id) for event, union_id in registrations}
    rows = [
        (
            e.child_id,
            union_id,
            e.display_name,
            json_text([g.model_dump(mode="json") for g in e.guardians]),
            e.priority_group,
            json_text([a.model_dump(mode="json") for a in e.authorised_adults]),
            json_text(e.emergency_contact.model_dump(mode="json")) if e.emergency_contact else None,
            e.allergies,
            e.health_notes,
        )
        for e, union_id in latest.values()
    ]
    await tx.execute(
        """INSERT INTO roster_children (child_id, union_id, display_name, guardians, priority_group,
                                        authorised_adults, emergency_contact, allergies, health_notes)
           SELECT c, u, n, g::jsonb, p, a::jsonb, e::jsonb, al, h
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[]) AS x(c, u, n, g, p, a, e, al, h)
           ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name,
               guardians = EXCLUDED.guardians, priority_group = EXCLUDED.priority_group,
               authorised_adults = EXCLUDED.authorised_adults, emergency_contact = EXCLUDED.emergency_contact,
               allergies = EXCLUDED.allergies, health_notes = EXCLUDED.health_notes""",
        *columns(rows, 9),
    )


async def add_roster_days(tx: asyncpg.Connection, bookings: Sequence[ChildEnrolled | BookingPromoted]) -> None:
    """A roster entry for each booked day of each booking."""
    rows = [
        (
            b.booking_id,
            b.child_id,
            b.class_id,
            b.site_id,
            day,
            b.provider_id,
            b.programme_id,
            b.class_type,
            b.boarding,
            list(b.union_path),
        )
        for b in bookings
        for day in b.days
    ]
    await tx.execute(
        """INSERT INTO roster_entries (booking_id, child_id, class_id, site_id, day, provider_id, programme_id,
                                       class_type, boarding, union_path)
           SELECT b, c, k, s, d, p, g, t, w, string_to_array(u, ',')::uuid[]
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::uuid[], $7::uuid[], $8::text[],
                       $9::boolean[], $10::text[]) AS x(b, c, k, s, d, p, g, t, w, u)""",
        *columns(rows, 9),
        [",".join(str(u) for u in r[9]) for r in rows],
    )


async def remove_roster_days(tx: asyncpg.Connection, booking_id: uuid.UUID, days: list[dt.date]) -> None:
    await tx.execute("DELETE FROM roster_entries WHERE booking_id = $1 AND day = ANY($2::date[])", booking_id, days)


async def days_in_care(tx: asyncpg.Connection, child_id: uuid.UUID, days: list[dt.date]) -> set[dt.date]:
    """Of ``days``, those the child was admitted at the door: they are in care until handed over."""
    rows = await tx.fetch(
        "SELECT day FROM checkins WHERE child_id = $1 AND day = ANY($2::date[]) AND admitted", child_id, days
    )
    return {r["day"] for r in rows}


# The cover of a roster entry ``e``'s day: confirmed by some insurer (with its policy number),
# refused by all that answered, or pending (no answer yet).
_COVER = """LEFT JOIN LATERAL (
               SELECT CASE WHEN bool_or(v.status = 'confirmed') THEN 'confirmed'
                           WHEN bool_or(v.status = 'refused') THEN 'refused' ELSE 'pending' END AS cover,
                      min(v.policy_number) FILTER (WHERE v.status = 'confirmed') AS policy_number
               FROM cover_answers v
               WHERE v.child_id = e.child_id AND v.programme_id = e.programme_id AND v.day = e.day) cv ON true"""


async def record_cover_answers(
    tx: asyncpg.Connection, answers: Sequence[ChildCoverConfirmed | ChildCoverRefused]
) -> None:
    """Each insurer's latest answer for each day of the child's cover in a programme."""
    rows = [
        (
            a.child_id,
            a.programme_id,
            day,
            a.insurer,
            "confirmed" if isinstance(a, ChildCoverConfirmed) else "refused",
            a.policy_number if isinstance(a, ChildCoverConfirmed) else None,
        )
        for a in answers
        for day in a.days
    ]
    latest = {row[:4]: row for row in rows}  # one child's answers arrive in order: the last one stands
    await tx.execute(
        """INSERT INTO cover_answers (child_id, programme_id, day, insurer, status, policy_number)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::text[], $5::text[], $6::text[])
           ON CONFLICT (child_id, programme_id, day, insurer)
           DO UPDATE SET status = EXCLUDED.status, policy_number = EXCLUDED.policy_number""",
        *columns(list(latest.values()), 6),
    )


# Where each roster entry ``e``'s child is on its day: the joins, then the status they give.
_WHEREABOUTS = f"""LEFT JOIN LATERAL ({holding_admission("e.child_id", "e.day")}) ci ON true
           LEFT JOIN handovers h ON h.child_id = e.child_id AND h.day = e.day
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id"""
_STATUS = """CASE WHEN h.child_id IS NOT NULL THEN 'picked_up'
                       WHEN ci.checkin_id IS NOT NULL THEN 'present'
                       WHEN EXISTS (SELECT 1 FROM checkins r WHERE r.child_id = e.child_id AND r.day = e.day
                                    AND NOT r.admitted) THEN 'refused'
                       WHEN a.child_id IS NOT NULL THEN 'absent'
                       ELSE 'expected' END"""


async def roster(conn: Conn, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Each booked child with where they are today: expected, present, refused, absent or picked up;
    whether an insurer confirmed their cover; and who may take them home."""
    rows = await conn.fetch(
        f"""SELECT c.child_id, c.display_name, e.booking_id, e.site_id, cv.cover, cv.policy_number,
                  c.allergies, c.health_notes, c.authorised_adults, c.guardians, {_STATUS} AS status,
                  ci.at AS checked_in_at, h.released_at AS picked_up_at, h.adult_name AS picked_up_by
           FROM roster_entries e JOIN roster_children c USING (child_id)
           {_WHEREABOUTS}
           """
        + _COVER
        + """
           WHERE e.class_id = $1 AND e.day = $2 ORDER BY c.display_name, c.child_id""",
        class_id,
        day,
    )
    return [dict(r) for r in rows]


async def classes_at_site(
    conn: Conn, site_id: uuid.UUID, day: dt.date, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page of the site's classes with children booked on ``day``: how many children are in each
    state, and the staff on duty."""
    rows = await conn.fetch(
        f"""WITH booked AS (
               SELECT e.class_id, e.class_type, {_STATUS} AS status
               FROM roster_entries e
               {_WHEREABOUTS}
               WHERE e.site_id = $1 AND e.day = $2)
           SELECT class_id, min(class_type) AS class_type, count(*) AS booked,
                  count(*) FILTER (WHERE status = 'expected') AS expected,
                  count(*) FILTER (WHERE status = 'present') AS present,
                  count(*) FILTER (WHERE status = 'absent') AS absent,
                  count(*) FILTER (WHERE status = 'picked_up') AS picked_up,
                  count(*) FILTER (WHERE status = 'refused') AS refused,
                  (SELECT count(*) FROM staff_on_duty d WHERE d.class_id = booked.class_id AND d.day = $2)
                      AS staff_on_duty
           FROM booked GROUP BY class_id ORDER BY min(class_type), class_id LIMIT $3 OFFSET $4""",
        site_id,
        day,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def sites_in_scope(
    conn: Conn, scope: dict[str, uuid.UUID], day: dt.date, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page of the sites attendance knows (from site.opened, or from bookings at sites opened
    before that event), run by ``scope``'s provider or under its union, each with the number of
    classes that have children booked on ``day``."""
    rows = await conn.fetch(
        """WITH known AS (
               SELECT site_id, network_id, provider_id, union_path FROM sites
               UNION ALL
               SELECT DISTINCT ON (site_id) site_id, NULL::uuid, provider_id, union_path FROM roster_entries e
               WHERE provider_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sites s WHERE s.site_id = e.site_id))
           , counted AS (
               SELECT site_id, network_id, provider_id, union_path[array_length(union_path, 1)] AS union_id,
                      (SELECT count(DISTINCT class_id) FROM roster_entries e
                       WHERE e.site_id = known.site_id AND e.day = $3) AS classes_on_day
               FROM known
               WHERE ($1::uuid IS NULL OR provider_id = $1) AND ($2::uuid IS NULL OR $2 = ANY(union_path)))
           SELECT * FROM counted ORDER BY classes_on_day = 0, site_id LIMIT $4 OFFSET $5""",
        scope.get("provider_id"),
        scope.get("within"),
        day,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def entry(
    conn: Conn, child_id: uuid.UUID, day: dt.date, site_id: uuid.UUID | None = None
) -> asyncpg.Record | None:
    """The child's roster entry for a day (at a site, when given), with what staff need to know, the
    day's cover and the site's hours (NULL where the site never set them: see :func:`site_hours`)."""
    return await conn.fetchrow(
        """SELECT e.booking_id, e.child_id, e.class_id, e.site_id, e.provider_id, e.programme_id, e.class_type,
                  e.boarding, e.union_path, e.day, c.display_name, c.guardians, c.authorised_adults,
                  c.emergency_contact, h.checkin_cutoff, h.closing, h.grace_minutes, h.escalation_interval_s, cv.cover
           FROM roster_entries e JOIN roster_children c USING (child_id)
           LEFT JOIN site_hours h ON h.site_id = e.site_id
           """
        + _COVER
        + """
           WHERE e.child_id = $1 AND e.day = $2 AND ($3::uuid IS NULL OR e.site_id = $3)
           ORDER BY e.site_id = $3 DESC NULLS LAST LIMIT 1""",
        child_id,
        day,
        site_id,
    )


def site_hours(entry: asyncpg.Record) -> SiteHours:
    """The hours of an entry's site."""
    if entry["checkin_cutoff"] is None:
        return SiteHours()
    return SiteHours(entry["checkin_cutoff"], entry["closing"], entry["grace_minutes"], entry["escalation_interval_s"])


async def class_facts(conn: Conn, class_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT class_id, site_id, provider_id, union_path, class_type FROM roster_entries
           WHERE class_id = $1 AND provider_id IS NOT NULL LIMIT 1""",
        class_id,
    )


async def add_site(
    conn: Conn, site_id: uuid.UUID, network_id: uuid.UUID, provider_id: uuid.UUID, union_path: list[uuid.UUID]
) -> None:
    await conn.execute(
        """INSERT INTO sites (site_id, network_id, provider_id, union_path) VALUES ($1, $2, $3, $4)
           ON CONFLICT (site_id) DO NOTHING""",
        site_id,
        network_id,
        provider_id,
        union_path,
    )


async def site_facts(conn: Conn, site_id: uuid.UUID) -> asyncpg.Record | None:
    """Who runs the site and the unions above it: from site.opened, or (sites opened before that
    event existed) from its roster entries."""
    return await conn.fetchrow(
        """SELECT site_id, provider_id, union_path FROM sites WHERE site_id = $1
           UNION ALL
           (SELECT site_id, provider_id, union_path FROM roster_entries
            WHERE site_id = $1 AND provider_id IS NOT NULL LIMIT 1)
           LIMIT 1""",
        site_id,
    )


async def child_facts(conn: Conn, child_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT child_id, guardians FROM roster_children WHERE child_id = $1", child_id)


async def attended_days(conn: Conn, child_id: uuid.UUID, programme_id: uuid.UUID | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT e.programme_id, e.booking_id, count(*) AS booked_days,
                  count(ci.checkin_id) AS attended_days, count(a.child_id) AS absent_days
           FROM roster_entries e
           LEFT JOIN LATERAL ({holding_admission("e.child_id", "e.day")}) ci ON true
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id
           WHERE e.child_id = $1 AND ($2::uuid IS NULL OR e.programme_id = $2)
           GROUP BY e.programme_id, e.booking_id ORDER BY e.programme_id""",
        child_id,
        programme_id,
    )
    return [dict(r) for r in rows]


async def in_union_tree(conn: Conn, child_id: uuid.UUID, union_id: uuid.UUID | None) -> bool:
    """Whether any of the child's bookings is in a class under ``union_id``."""
    return bool(
        await conn.fetchval(
            "SELECT bool_or($2 = ANY(union_path)) FROM roster_entries WHERE child_id = $1", child_id, union_id
        )
    )


async def is_above(conn: Conn, upper_id: uuid.UUID, union_id: uuid.UUID) -> bool:
    """Whether some class's path runs through ``upper_id`` and then ``union_id`` (root first)."""
    return await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM roster_entries WHERE union_path @> ARRAY[$1, $2]::uuid[]
                          AND array_position(union_path, $1) < array_position(union_path, $2))""",
        upper_id,
        union_id,
    )


async def figures(conn: Conn, union_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Per class in the union's subtree on a day: booked, present (ever admitted) and absent."""
    rows = await conn.fetch(
        f"""SELECT e.site_id, e.class_id, count(*) AS booked, count(ci.checkin_id) AS attended,
                  count(a.child_id) AS absent
           FROM roster_entries e
           LEFT JOIN LATERAL ({holding_admission("e.child_id", "e.day")}) ci ON true
           LEFT JOIN absences a ON a.child_id = e.child_id AND a.day = e.day AND a.class_id = e.class_id
           WHERE e.day = $2 AND $1 = ANY(e.union_path)
           GROUP BY e.site_id, e.class_id ORDER BY e.site_id, e.class_id""",
        union_id,
        day,
    )
    return [dict(r) for r in rows]
