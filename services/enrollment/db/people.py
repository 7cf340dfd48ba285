"""Children, their guardians (accepted, or invited and not yet linked) and the adults allowed to pick them up."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.contracts.enrollment import AuthorisedAdult, ChildRegistered, EmergencyContact, GuardianContact
from shared.db import Conn


async def insert_child(
    tx: Conn,
    child: ChildRegistered,
    union_id: uuid.UUID,
    birth_date,
    declared_group: str,
    invited: list[GuardianContact],
    invited_by: uuid.UUID,
    id_numbers: dict[uuid.UUID, str],
) -> None:
    """The child with its accepted guardians (``child.guardians``) and the ones ``invited``;
    ``declared_group`` is the group their categories claim, ``child.priority_group`` the verified one;
    ``id_numbers`` the pick-up adults' ID-card numbers given, by adult id (kept only here)."""
    await tx.execute(
        """INSERT INTO children (child_id, union_id, display_name, birth_date, priority_group, authorised_adults,
                                 emergency_contact) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        child.child_id,
        union_id,
        child.display_name,
        birth_date,
        declared_group,
        [
            {**a.model_dump(mode="json"), **({"id_number": id_numbers[a.adult_id]} if a.adult_id in id_numbers else {})}
            for a in child.authorised_adults
        ],
        child.emergency_contact.model_dump(mode="json") if child.emergency_contact else None,
    )
    await tx.executemany(
        """INSERT INTO guardianships (child_id, guardian_id, display_name, employment_category, channels,
                                      invited_by, accepted_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::uuid IS NULL THEN now() END)""",
        [
            (
                child.child_id,
                g.guardian_id,
                g.display_name,
                g.employment_category,
                [c.model_dump() for c in g.channels],
                by,
            )
            for g, by in [*((g, None) for g in child.guardians), *((g, invited_by) for g in invited)]
        ],
    )


async def get_child(conn: Conn, child_id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT child_id, union_id, display_name, birth_date, priority_group, verified_group, authorised_adults,
                   emergency_contact, allergies, health_notes,
                   ARRAY(SELECT guardian_id FROM guardianships g
                         WHERE g.child_id = c.child_id AND g.accepted_at IS NOT NULL) AS guardian_ids
            FROM children c WHERE child_id = $1 {"FOR UPDATE" if lock else ""}""",
        child_id,
    )


async def lock_children(tx: asyncpg.Connection, child_ids: list[uuid.UUID]) -> None:
    """Row locks in id order: a child's events then reach the outbox in commit order."""
    await tx.execute(
        "SELECT 1 FROM children WHERE child_id = ANY($1::uuid[]) ORDER BY child_id FOR UPDATE", sorted(set(child_ids))
    )


async def guardians_of(conn: Conn, child_id: uuid.UUID) -> list[dict]:
    """The child's linked (accepted) guardians."""
    rows = await conn.fetch(
        """SELECT guardian_id, display_name, employment_category, channels FROM guardianships
           WHERE child_id = $1 AND accepted_at IS NOT NULL ORDER BY display_name""",
        child_id,
    )
    return [dict(r) for r in rows]


async def invited_to(conn: Conn, child_id: uuid.UUID) -> list[dict]:
    """Who was invited to be the child's guardian and has not accepted yet (names only)."""
    rows = await conn.fetch(
        """SELECT guardian_id, display_name FROM guardianships
                               WHERE child_id = $1 AND accepted_at IS NULL ORDER BY display_name""",
        child_id,
    )
    return [dict(r) for r in rows]


async def lock_member(tx: asyncpg.Connection, member_id: uuid.UUID) -> None:
    """Serialise a member's guardianships, so that the children-per-member quota holds."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7263021))", str(member_id))


async def children_of_member(conn: Conn, member_id: uuid.UUID) -> int:
    """How many children the member is a linked guardian of."""
    return await conn.fetchval(
        "SELECT count(*) FROM guardianships WHERE guardian_id = $1 AND accepted_at IS NOT NULL", member_id
    )


async def invitations_of(conn: Conn, member_id: uuid.UUID | None) -> list[dict]:
    """The member's open invitations: the child's name and who invited them, nothing more (none
    for a token that names no member)."""
    rows = await conn.fetch(
        """SELECT g.child_id, c.display_name AS child_name, i.display_name AS invited_by, g.display_name
           FROM guardianships g JOIN children c USING (child_id)
           LEFT JOIN guardianships i ON i.child_id = g.child_id AND i.guardian_id = g.invited_by
           WHERE g.guardian_id = $1 AND g.accepted_at IS NULL ORDER BY c.created_at""",
        member_id,
    )
    return [dict(r) for r in rows]


async def accept(tx: asyncpg.Connection, child_id: uuid.UUID, member_id: uuid.UUID, changes: dict[str, Any]) -> bool:
    """Link an invited guardian, with their own category and channels when given; False if not invited."""
    return bool(
        await tx.fetchval(
            """UPDATE guardianships SET accepted_at = now(),
                  employment_category = coalesce($3, employment_category), channels = coalesce($4, channels)
           WHERE child_id = $1 AND guardian_id = $2 AND accepted_at IS NULL RETURNING true""",
            child_id,
            member_id,
            changes.get("employment_category"),
            changes.get("channels"),
        )
    )


async def decline(tx: Conn, child_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    return bool(
        await tx.fetchval(
            """DELETE FROM guardianships WHERE child_id = $1 AND guardian_id = $2
                                     AND accepted_at IS NULL RETURNING true""",
            child_id,
            member_id,
        )
    )


async def set_priority_group(tx: asyncpg.Connection, child_id: uuid.UUID, group: str) -> None:
    await tx.execute("UPDATE children SET priority_group = $2 WHERE child_id = $1", child_id, group)


async def registration(conn: Conn, child: asyncpg.Record) -> ChildRegistered:
    """The full current picture of a child (locked by the caller), as ``child.registered`` carries it."""
    guardians = await guardians_of(conn, child["child_id"])
    return ChildRegistered(
        child_id=child["child_id"],
        display_name=child["display_name"],
        priority_group=child["verified_group"],  # events carry only a verified category
        guardians=tuple(
            GuardianContact(
                guardian_id=g["guardian_id"],
                display_name=g["display_name"],
                employment_category=g["employment_category"],
                channels=tuple(g["channels"]),
            )
            for g in sorted(guardians, key=lambda g: g["guardian_id"])
        ),
        authorised_adults=tuple(
            AuthorisedAdult.model_validate({k: v for k, v in a.items() if k != "id_number"})  # stays here
            for a in child["authorised_adults"]
        ),
        emergency_contact=(
            EmergencyContact.model_validate(child["emergency_contact"]) if child["emergency_contact"] else None
        ),
        allergies=child["allergies"],
        health_notes=child["health_notes"],
    )


async def update_record(tx: Conn, child_id: uuid.UUID, parts: dict[str, Any]) -> None:
    """Replace the given parts of the child's record (authorised_adults, emergency_contact,
    allergies, health_notes); the others stay."""
    await tx.execute(
        """UPDATE children SET
              authorised_adults = CASE WHEN $2 THEN $3::jsonb ELSE authorised_adults END,
              emergency_contact = CASE WHEN $4 THEN $5::jsonb ELSE emergency_contact END,
              allergies = CASE WHEN $6 THEN $7 ELSE allergies END,
              health_notes = CASE WHEN $8 THEN $9 ELSE health_notes END
           WHERE child_id = $1""",
        child_id,
        "authorised_adults" in parts,
        parts.get("authorised_adults"),
        "emergency_contact" in parts,
        parts.get("emergency_contact"),
        "allergies" in parts,
        parts.get("allergies"),
        "health_notes" in parts,
        parts.get("health_notes"),
    )


async def invite(tx: Conn, child_id: uuid.UUID, guardian: GuardianContact, invited_by: uuid.UUID) -> bool:
    """An invitation for a member not yet linked nor invited; False when they are either."""
    return bool(
        await tx.fetchval(
            """INSERT INTO guardianships (child_id, guardian_id, display_name, employment_category, channels,
                                          invited_by, accepted_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)
               ON CONFLICT (child_id, guardian_id) DO NOTHING RETURNING true""",
            child_id,
            guardian.guardian_id,
            guardian.display_name,
            guardian.employment_category,
            [c.model_dump() for c in guardian.channels],
            invited_by,
        )
    )


async def unlink(tx: Conn, child_id: uuid.UUID, guardian_id: uuid.UUID) -> str | None:
    """Remove a linked guardian (or an open invitation); their name, or None when there was none."""
    return await tx.fetchval(
        "DELETE FROM guardianships WHERE child_id = $1 AND guardian_id = $2 RETURNING display_name",
        child_id,
        guardian_id,
    )


async def children_of_guardian(conn: Conn, member_id: uuid.UUID, limit: int, offset: int) -> list[asyncpg.Record]:
    """The children the member is a linked guardian of, oldest registration first (a page)."""
    return await conn.fetch(
        """SELECT c.child_id FROM children c JOIN guardianships g USING (child_id)
           WHERE g.guardian_id = $1 AND g.accepted_at IS NOT NULL
           ORDER BY c.created_at, c.child_id LIMIT $2 OFFSET $3""",
        member_id,
        limit,
        offset,
    )


async def insert_claim(
    tx: Conn, claim_id: uuid.UUID, child_id: uuid.UUID, category: str, evidence: str, claimed_by: str
) -> bool:
    """A pending claim; False when the child has one standing (pending or verified) for the category."""
    return bool(
        await tx.fetchval(
            """INSERT INTO priority_claims (claim_id, child_id, category, evidence, claimed_by)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
            claim_id,
            child_id,
            category,
            evidence,
            claimed_by,
        )
    )


async def get_claim(conn: Conn, claim_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT claim_id, child_id, category, evidence, claimed_at, state, decided_at, reason
           FROM priority_claims WHERE claim_id = $1""",
        claim_id,
    )


async def decide_claim(tx: Conn, claim_id: uuid.UUID, state: str, decided_by: str, reason: str) -> bool:
    """Decide a pending claim; False when it was decided already."""
    return bool(
        await tx.fetchval(
            """UPDATE priority_claims SET state = $2, decided_by = $3, reason = $4, decided_at = now()
               WHERE claim_id = $1 AND state = 'pending' RETURNING true""",
            claim_id,
            state,
            decided_by,
            reason,
        )
    )


async def verified_categories(conn: Conn, child_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch("SELECT category FROM priority_claims WHERE child_id = $1 AND state = 'verified'", child_id)
    return [r["category"] for r in rows]


async def set_verified_group(tx: Conn, child_id: uuid.UUID, group: str) -> None:
    await tx.execute("UPDATE children SET verified_group = $2 WHERE child_id = $1", child_id, group)


async def claims_of(conn: Conn, child_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT claim_id, category, evidence, state, claimed_at, decided_at, reason FROM priority_claims
           WHERE child_id = $1 ORDER BY claimed_at, claim_id""",
        child_id,
    )
    return [dict(r) for r in rows]
