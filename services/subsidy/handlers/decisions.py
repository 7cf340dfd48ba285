"""What union staff do: set up funds and policies, and decide applications the rules do not decide."""

from __future__ import annotations

import uuid

from services.subsidy import access
from services.subsidy.db import applications, funds
from services.subsidy.domain.commands import CreateFund, CreatePolicy, Decision
from services.subsidy.handlers import ledger, statements
from shared.db import present
from shared.errors import Conflict, Invalid, NotFound
from shared.outcomes import Created, Done
from shared.uow import UnitOfWork


class AlreadyDecided(Conflict):
    """The application is no longer waiting for staff to decide it."""


async def create_fund(cmd: CreateFund, uow: UnitOfWork) -> Created:
    union_id = access.own_union(uow.issuer.principal, cmd.union_id)
    fund_id = uuid.uuid4()
    await funds.insert_fund(uow.tx, fund_id, union_id, cmd.name, cmd.budget_fen)
    return Created({"fund_id": str(fund_id), "union_id": str(union_id), "budget_fen": cmd.budget_fen})


async def create_policy(cmd: CreatePolicy, uow: UnitOfWork) -> Created:
    tx = uow.tx
    union_id = access.own_union(uow.issuer.principal, cmd.union_id)
    fund = await funds.get_fund(tx, cmd.fund_id)
    if fund is None or fund["union_id"] != union_id:
        raise Invalid("not a fund of this union", field="fund_id")
    policy_id = uuid.uuid4()
    await funds.insert_policy(tx, policy_id, union_id, cmd.model_dump(mode="python"))
    return Created(
        {
            "policy_id": str(policy_id),
            "valid_from": cmd.valid_from and cmd.valid_from.isoformat(),
            "valid_until": cmd.valid_until and cmd.valid_until.isoformat(),
            "provider_ids": [str(provider_id) for provider_id in cmd.provider_ids],
        }
    )


async def decide(application_id: uuid.UUID, cmd: Decision, uow: UnitOfWork) -> Done:
    tx, actor = uow.tx, uow.issuer
    application = await applications.lock(tx, application_id)
    if application is None:
        raise NotFound("no such application", field="application_id")
    await access.ensure_decides(tx, actor.principal, application)
    if application["status"] != "pending_review":
        raise AlreadyDecided(f"the application is {application['status']}", field="application_id")
    work = uow.within(application["union_path"][-1])
    if cmd.approve:
        approved = await ledger.approve(work, application, by=actor.principal.sub)
    else:
        await ledger.reject(work, application, by=actor.principal.sub, reason=cmd.reason)
        approved = False
    await statements.revise(
        work, application["booking_id"], cause="subsidy.approved" if approved else "subsidy.rejected"
    )
    found = present(await applications.get(tx, application_id), "application")
    return Done(
        {
            "application_id": str(application_id),
            "status": found["status"],
            "reason": found["reason"],
            "approved": approved,
        }
    )
