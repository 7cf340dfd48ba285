"""Provider contracts, custody agreements and their acceptances, inspections and their findings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.enrollment.domain.commands import PublishAgreement, RecordInspection, SignContract
from shared.db import Conn

CONTRACT_COLUMNS = """k.contract_id, k.union_id, k.provider_id, k.starts_on, k.ends_on, k.places, k.fee_per_day_fen,
    k.fee_rules, k.reference, k.signed_by, k.signed_at,
    ARRAY(SELECT site_id FROM contract_sites s WHERE s.contract_id = k.contract_id ORDER BY site_id) AS site_ids"""


async def insert_contract(tx: Conn, contract_id: uuid.UUID, cmd: SignContract, signed_by: str) -> None:
    await tx.execute(
        """INSERT INTO provider_contracts (contract_id, union_id, provider_id, starts_on, ends_on, places,
                                          fee_per_day_fen, fee_rules, reference, signed_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        contract_id,
        cmd.union_id,
        cmd.provider_id,
        cmd.starts_on,
        cmd.ends_on,
        cmd.places,
        cmd.fee_per_day_fen,
        cmd.fee_rules,
        cmd.reference,
        signed_by,
    )
    await tx.executemany(
        "INSERT INTO contract_sites (contract_id, site_id) VALUES ($1, $2)", [(contract_id, s) for s in cmd.site_ids]
    )


async def get_contract(conn: Conn, contract_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {CONTRACT_COLUMNS} FROM provider_contracts k WHERE contract_id = $1", contract_id
    )


async def sites(conn: Conn, site_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT site_id, union_id, provider_id FROM sites WHERE site_id = ANY($1::uuid[])", site_ids
    )


async def contracts_of_site(conn: Conn, site_id: uuid.UUID, provider_id: uuid.UUID) -> list[dict[str, Any]]:
    """The site's contracts with the provider running it, the latest ending first."""
    rows = await conn.fetch(
        """SELECT k.contract_id, k.starts_on, k.ends_on, k.places FROM provider_contracts k
           JOIN contract_sites s USING (contract_id) WHERE s.site_id = $1 AND k.provider_id = $2
           ORDER BY k.ends_on DESC, k.signed_at""",
        site_id,
        provider_id,
    )
    return [dict(r) for r in rows]


async def lock_contract(tx: Conn, contract_id: uuid.UUID) -> None:
    """Classes are added under a contract one at a time, so its places are counted once."""
    await tx.execute("SELECT 1 FROM provider_contracts WHERE contract_id = $1 FOR UPDATE", contract_id)


async def places_taken(conn: Conn, contract_id: uuid.UUID, days: list[dt.date]) -> dict[dt.date, int]:
    """The capacity of the contract's classes on each of ``days`` (days without a class: 0)."""
    rows = await conn.fetch(
        """SELECT d.day, coalesce((SELECT sum(c.capacity_per_day) FROM classes c JOIN class_days cd USING (class_id)
                                   WHERE c.contract_id = $1 AND cd.day = d.day), 0) AS taken
           FROM unnest($2::date[]) AS d(day)""",
        contract_id,
        days,
    )
    return {r["day"]: r["taken"] for r in rows}


async def set_class_contract(tx: Conn, class_id: uuid.UUID, contract_id: uuid.UUID) -> None:
    await tx.execute("UPDATE classes SET contract_id = $2 WHERE class_id = $1", class_id, contract_id)


# The custody agreement (托管协议) of a programme, and who accepted which version for which child.


async def lock_programme(tx: Conn, programme_id: uuid.UUID) -> None:
    """Versions of a programme's agreement are numbered one at a time."""
    await tx.execute("SELECT 1 FROM programmes WHERE programme_id = $1 FOR UPDATE", programme_id)


async def insert_agreement(tx: Conn, programme_id: uuid.UUID, cmd: PublishAgreement, published_by: str) -> int:
    """The next version of the programme's agreement; its number."""
    return await tx.fetchval(
        """INSERT INTO custody_agreements (programme_id, version, title, body, document_ref, published_by)
           SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM custody_agreements WHERE programme_id = $1
           RETURNING version""",
        programme_id,
        cmd.title,
        cmd.body,
        cmd.document_ref,
        published_by,
    )


async def current_agreement(conn: Conn, programme_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT programme_id, version, title, body, document_ref, published_at FROM custody_agreements
           WHERE programme_id = $1 ORDER BY version DESC LIMIT 1""",
        programme_id,
    )


async def insert_acceptance(
    tx: Conn, programme_id: uuid.UUID, version: int, child_id: uuid.UUID, guardian_id: uuid.UUID, by: str
) -> asyncpg.Record | None:
    """The acceptance, or None when the child's guardians accepted this version already."""
    return await tx.fetchrow(
        """INSERT INTO agreement_acceptances (programme_id, version, child_id, guardian_id, accepted_by)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING accepted_at""",
        programme_id,
        version,
        child_id,
        guardian_id,
        by,
    )


async def acceptance(conn: Conn, programme_id: uuid.UUID, version: int, child_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT guardian_id, accepted_at FROM agreement_acceptances
           WHERE programme_id = $1 AND version = $2 AND child_id = $3""",
        programme_id,
        version,
        child_id,
    )


# Inspections of a site and the findings (failed checklist items) they raise.


async def insert_inspection(
    tx: Conn,
    inspection_id: uuid.UUID,
    union_id: uuid.UUID,
    cmd: RecordInspection,
    inspector: str,
    findings: list[uuid.UUID],
) -> None:
    """The inspection; each failed item (in order) becomes a finding with the id in ``findings``."""
    await tx.execute(
        """INSERT INTO inspections (inspection_id, site_id, union_id, inspected_on, inspector, items)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        inspection_id,
        cmd.site_id,
        union_id,
        cmd.inspected_on,
        inspector,
        [i.model_dump(mode="json") for i in cmd.items],
    )
    failed = [i for i in cmd.items if not i.passed]
    await tx.executemany(
        """INSERT INTO inspection_findings (finding_id, inspection_id, site_id, union_id, area, item, note, fix_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [
            (finding_id, inspection_id, cmd.site_id, union_id, i.area, i.item, i.note, i.fix_by)
            for finding_id, i in zip(findings, failed, strict=True)
        ],
    )


async def get_inspection(conn: Conn, inspection_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT i.inspection_id, i.site_id, i.union_id, s.provider_id, i.inspected_on, i.inspector, i.recorded_at,
                  i.items FROM inspections i JOIN sites s USING (site_id) WHERE inspection_id = $1""",
        inspection_id,
    )


FINDING_COLUMNS = """f.finding_id, f.inspection_id, f.site_id, f.union_id, f.area, f.item, f.note, f.fix_by,
    f.closed_at, f.closed_by, f.fixed_note, i.inspected_on"""


async def get_finding(conn: Conn, finding_id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {FINDING_COLUMNS} FROM inspection_findings f JOIN inspections i USING (inspection_id)
            WHERE finding_id = $1 {"FOR UPDATE OF f" if lock else ""}""",
        finding_id,
    )


async def findings_of_inspection(conn: Conn, inspection_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {FINDING_COLUMNS} FROM inspection_findings f JOIN inspections i USING (inspection_id)
            WHERE f.inspection_id = $1 ORDER BY f.fix_by, f.item""",
        inspection_id,
    )


async def close_finding(tx: Conn, finding_id: uuid.UUID, by: str, note: str) -> dt.datetime | None:
    """When the finding was closed, or None when it was closed already."""
    return await tx.fetchval(
        """UPDATE inspection_findings SET closed_at = now(), closed_by = $2, fixed_note = $3
           WHERE finding_id = $1 AND closed_at IS NULL RETURNING closed_at""",
        finding_id,
        by,
        note,
    )


async def findings_within(conn: Conn, union_id: uuid.UUID, state: str) -> list[asyncpg.Record]:
    """Findings at sites of the union's subtree (``state``: open, closed or all), the earliest deadline first."""
    return await conn.fetch(
        f"""SELECT {FINDING_COLUMNS} FROM inspection_findings f JOIN inspections i USING (inspection_id)
            JOIN unions u ON u.union_id = f.union_id
            WHERE $1 = ANY(u.ancestors)
              AND ($2 = 'all' OR ($2 = 'open') = (f.closed_at IS NULL))
            ORDER BY f.fix_by, f.item, f.finding_id""",
        union_id,
        state,
    )
