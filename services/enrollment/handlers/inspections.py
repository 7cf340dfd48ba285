"""Inspections: union staff above a site's union inspect it with a checklist (the environment,
catering hygiene, safety, the staff present). Each failed item becomes a finding with a deadline,
tracked until union staff of that part of the tree close it with a note of what was fixed."""

from __future__ import annotations

import uuid

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.db import organisation
from services.enrollment.db import supervision as db
from services.enrollment.domain.commands import CloseFinding, RecordInspection
from shared.contracts.enrollment import FindingClosed, FindingDue, InspectionRecorded
from shared.db import present
from shared.errors import Conflict
from shared.outcomes import Created, Done
from shared.timezones import LOCAL_TIME
from shared.uow import UnitOfWork


async def record(cmd: RecordInspection, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    site = await organisation.get_site(tx, cmd.site_id)
    if site is None:
        raise not_found("site_id", "site")
    await ensure_manages(tx, actor.principal, site["union_id"])
    inspection_id = uuid.uuid4()
    failed = [item for item in cmd.items if not item.passed]
    findings = [uuid.uuid4() for _ in failed]
    await db.insert_inspection(tx, inspection_id, site["union_id"], cmd, actor.principal.sub, findings)
    due = [
        FindingDue(finding_id=f, area=i.area, item=i.item, fix_by=present(i.fix_by, "fix_by"))
        for f, i in zip(findings, failed, strict=True)
    ]
    uow.emit(
        InspectionRecorded(
            inspection_id=inspection_id,
            site_id=cmd.site_id,
            inspected_on=cmd.inspected_on,
            union_path=await _path(uow, site["union_id"]),
            findings=tuple(due),
        ),
        union_id=site["union_id"],
    )
    return Created(
        {
            "inspection_id": str(inspection_id),
            "site_id": str(cmd.site_id),
            "findings": [d.model_dump(mode="json") for d in due],
        }
    )


async def close(finding_id: uuid.UUID, cmd: CloseFinding, uow: UnitOfWork) -> Done:
    tx, actor = uow.tx, uow.issuer
    finding = await db.get_finding(tx, finding_id, lock=True)
    if finding is None:
        raise not_found("finding_id", "finding")
    await ensure_manages(tx, actor.principal, finding["union_id"])
    closed_at = await db.close_finding(tx, finding_id, actor.principal.sub, cmd.note)
    if closed_at is None:
        raise Conflict(f"the finding was closed already, at {finding['closed_at'].isoformat()}", field="finding_id")
    uow.emit(
        FindingClosed(
            finding_id=finding_id,
            inspection_id=finding["inspection_id"],
            site_id=finding["site_id"],
            union_path=await _path(uow, finding["union_id"]),
            fix_by=finding["fix_by"],
            late=closed_at.astimezone(LOCAL_TIME).date() > finding["fix_by"],
        ),
        union_id=finding["union_id"],
    )
    return Done({"finding_id": str(finding_id), "closed_at": closed_at.isoformat(), "fixed_note": cmd.note})


async def _path(uow: UnitOfWork, union_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    return tuple(present(await organisation.get_union(uow.tx, union_id), "union")["ancestors"])
