"""What union staff do: set up funds and policies, and decide applications the rules do not decide."""

from __future__ import annotations

import uuid
from typing import Literal, Self

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.subsidy.db import applications as apps
from services.subsidy.db import funds
from services.subsidy.domain.policies import KINDS
from services.subsidy.handlers import ledger
from shared.contracts.enrollment import EmploymentCategory
from shared.errors import Conflict, Invalid, NotFound
from shared.outcomes import Created, Done
from shared.principal import Principal, forbidden, require_role
from shared.uow import UnitOfWork


class AlreadyDecided(Conflict):
    """The application is no longer waiting for staff to decide it."""


class CreateFund(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    union_id: uuid.UUID | None = Field(None, description="Defaults to the caller's union")
    name: str = Field(min_length=1, max_length=80)
    budget_fen: int = Field(gt=0, le=10**12)


class CreatePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    union_id: uuid.UUID | None = Field(None, description="Defaults to the caller's union")
    fund_id: uuid.UUID
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]  # the kinds registered in domain/policies
    percent_bp: int | None = Field(None, ge=1, le=10_000, description="member_percent: 1500 is 15 %")
    amount_per_day_fen: int | None = Field(None, gt=0, description="per_day and fund_grant")
    groups: list[EmploymentCategory] = Field(default_factory=list)
    class_ids: list[uuid.UUID] = Field(default_factory=list, description="Only these classes (model classes)")
    cap_per_child_fen: int | None = Field(None, gt=0)
    cap_per_programme_fen: int | None = Field(None, gt=0)
    auto_approve_up_to_fen: int | None = Field(None, ge=0, description="Above this, staff decide; none: always")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = KINDS[self.kind].missing(dict(self))
        if missing:
            raise ValueError(missing)
        return self


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approve: bool
    reason: str = Field("", max_length=300)

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> Self:
        if not self.approve and not self.reason.strip():
            raise ValueError("a rejection needs a reason")
        return self


def _own_union(p: Principal, union_id: uuid.UUID | None) -> uuid.UUID:
    require_role(p, "union_staff", "admin")
    if p.role == "admin":
        if union_id is None:
            raise Invalid("the admin must name the union", field="union_id")
        return union_id
    if union_id not in (None, p.union_id):
        raise forbidden("funds and policies are set up by the union's own staff")
    return p.union_id


async def create_fund(cmd: CreateFund, uow: UnitOfWork) -> Created:
    union_id = _own_union(uow.issuer.principal, cmd.union_id)
    fund_id = uuid.uuid4()
    await funds.insert_fund(uow.tx, fund_id, union_id, cmd.name, cmd.budget_fen)
    return Created({"fund_id": str(fund_id), "union_id": str(union_id), "budget_fen": cmd.budget_fen})


async def create_policy(cmd: CreatePolicy, uow: UnitOfWork) -> Created:
    tx = uow.tx
    union_id = _own_union(uow.issuer.principal, cmd.union_id)
    fund = await funds.get_fund(tx, cmd.fund_id)
    if fund is None or fund["union_id"] != union_id:
        raise Invalid("not a fund of this union", field="fund_id")
    policy_id = uuid.uuid4()
    await funds.insert_policy(tx, policy_id, union_id, cmd.model_dump(mode="python"))
    return Created({"policy_id": str(policy_id)})


async def ensure_decides(tx: asyncpg.Connection, p: Principal, app: asyncpg.Record) -> None:
    """Staff of the union that owns each fund involved, or of a union above it on the class's path."""
    if p.role == "admin":
        return
    path = list(app["union_path"] or [])
    owners = [
        r["union_id"]
        for r in await tx.fetch(
            "SELECT DISTINCT f.union_id FROM application_lines l JOIN funds f USING (fund_id) WHERE l.application_id = $1",
            app["application_id"],
        )
    ]
    if (
        p.role != "union_staff"
        or p.union_id not in path
        or any(o not in path or path.index(p.union_id) > path.index(o) for o in owners)
    ):
        raise forbidden("this application is decided by the staff of the union that owns its fund")


async def decide(application_id: uuid.UUID, cmd: Decision, uow: UnitOfWork) -> Done:
    tx, actor = uow.tx, uow.issuer
    app = await apps.lock(tx, application_id)
    if app is None:
        raise NotFound("no such application", field="application_id")
    await ensure_decides(tx, actor.principal, app)
    if app["status"] != "pending_review":
        raise AlreadyDecided(f"the application is {app['status']}", field="application_id")
    work = uow.within(app["union_path"][-1])
    if cmd.approve:
        approved = await ledger.approve(work, app, by=actor.principal.sub)
    else:
        await ledger.reject(work, app, by=actor.principal.sub, reason=cmd.reason)
        approved = False
    found = await apps.get(tx, application_id)
    return Done(
        {
            "application_id": str(application_id),
            "status": found["status"],
            "reason": found["reason"],
            "approved": approved,
        }
    )
