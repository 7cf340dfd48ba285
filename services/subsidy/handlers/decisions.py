"""What union staff do: set up funds and policies, and decide applications the rules do not decide."""

from __future__ import annotations

import uuid
from typing import Any, Literal, Self

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.subsidy.db import applications as apps
from services.subsidy.db import funds
from services.subsidy.domain.policies import KINDS
from services.subsidy.handlers import Actor, ledger
from shared.auth import Principal, forbidden, require_role
from shared.contracts.enrollment import EmploymentCategory
from shared.errors import CommandRejected
from shared.outbox import Outbox

Result = tuple[int, dict[str, Any]]


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
            raise CommandRejected(422, [{"field": "union_id", "reason": "the admin must name the union"}])
        return union_id
    if union_id not in (None, p.union_id):
        raise forbidden("funds and policies are set up by the union's own staff")
    return p.union_id


async def create_fund(cmd: CreateFund, actor: Actor, *, tx: asyncpg.Connection) -> Result:
    union_id = _own_union(actor.principal, cmd.union_id)
    fund_id = uuid.uuid4()
    await funds.insert_fund(tx, fund_id, union_id, cmd.name, cmd.budget_fen)
    return 201, {"fund_id": str(fund_id), "union_id": str(union_id), "budget_fen": cmd.budget_fen}


async def create_policy(cmd: CreatePolicy, actor: Actor, *, tx: asyncpg.Connection) -> Result:
    union_id = _own_union(actor.principal, cmd.union_id)
    fund = await funds.get_fund(tx, cmd.fund_id)
    if fund is None or fund["union_id"] != union_id:
        raise CommandRejected(422, [{"field": "fund_id", "reason": "not a fund of this union"}])
    policy_id = uuid.uuid4()
    await funds.insert_policy(tx, policy_id, union_id, cmd.model_dump(mode="python"))
    return 201, {"policy_id": str(policy_id)}


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


async def decide(
    application_id: uuid.UUID, cmd: Decision, actor: Actor, *, tx: asyncpg.Connection, outbox: Outbox
) -> Result:
    app = await apps.lock(tx, application_id)
    if app is None:
        raise CommandRejected(404, [{"field": "application_id", "reason": "no such application"}])
    await ensure_decides(tx, actor.principal, app)
    if app["status"] != "pending_review":
        raise CommandRejected(409, [{"field": "application_id", "reason": f"the application is {app['status']}"}])

    async def emit(event, stream: str | None = None):
        return await outbox.append(
            tx, event, union_id=app["union_path"][-1], correlation_id=actor.correlation_id, stream=stream
        )

    if cmd.approve:
        approved = await ledger.approve(tx, app, by=actor.principal.sub, emit=emit)
    else:
        await ledger.reject(tx, app, by=actor.principal.sub, reason=cmd.reason, emit=emit)
        approved = False
    found = await apps.get(tx, application_id)
    return 200, {
        "application_id": str(application_id),
        "status": found["status"],
        "reason": found["reason"],
        "approved": approved,
    }
