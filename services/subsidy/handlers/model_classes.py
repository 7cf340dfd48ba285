"""Model classes (示范班): union staff designate a class, and pay its operator lump-sum grants from
a fund, under the ledger's guarantee that no fund is ever overspent (``ledger.reserve``: a guarded
update on the fund's row, backed by the table's CHECK). Henan's ¥1,000,000 for 100 model classes
is one fund and a grant per class; the grant that would overspend it is refused."""

from __future__ import annotations

import uuid

from services.subsidy import access
from services.subsidy.db import funds, model_classes, statements
from services.subsidy.domain.commands import DesignateModelClass, GrantToModelClass
from services.subsidy.handlers import ledger
from shared.contracts.subsidy import ModelClassDesignated, ModelClassGrantPaid
from shared.db import present
from shared.errors import Conflict, Invalid, NotFound
from shared.money import yuan
from shared.outcomes import Created, Refused
from shared.uow import UnitOfWork


class AlreadyModelClass(Conflict):
    """The class is a model class already."""


class FundCannotCover(Conflict):
    """The fund has less left than the grant (it is never overspent)."""


async def designate(cmd: DesignateModelClass, uow: UnitOfWork) -> Created:
    tx, principal = uow.tx, uow.issuer.principal
    known = await statements.known_class(tx, cmd.class_id)
    if known is None:
        raise NotFound("no booking in this class has reached subsidy yet", field="class_id")
    union_id = access.designating_union(principal, list(known["union_path"]))
    if not await model_classes.designate(tx, known, union_id, principal.sub):
        raise AlreadyModelClass("the class is a model class already", field="class_id")
    uow.within(union_id).emit(
        ModelClassDesignated(
            class_id=cmd.class_id, provider_id=known["provider_id"], union_id=union_id, designated_by=principal.sub
        )
    )
    return Created({"class_id": str(cmd.class_id), "provider_id": str(known["provider_id"]), "union_id": str(union_id)})


async def grant(class_id: uuid.UUID, cmd: GrantToModelClass, uow: UnitOfWork) -> Created | Refused:
    """Pay the operator at once: reserve the amount in the fund (refused if it is not there) and spend it."""
    tx, principal = uow.tx, uow.issuer.principal
    model = await model_classes.get(tx, class_id)
    if model is None:
        raise NotFound("not a model class", field="class_id")
    fund = await funds.get_fund(tx, cmd.fund_id)
    if fund is None or fund["union_id"] not in model["union_path"]:
        raise Invalid("not a fund of a union running this class", field="fund_id")
    access.ensure_union_staff_of(principal, fund["union_id"])
    work = uow.within(fund["union_id"])
    if not await ledger.reserve(work, cmd.fund_id, cmd.amount_fen):
        left = present(await funds.get_fund(tx, cmd.fund_id), "fund")
        await ledger.tell_exhausted(work, left)
        return Refused(
            FundCannotCover(
                f"the fund has {yuan(left['available_fen'])} left, less than {yuan(cmd.amount_fen)}",
                field="amount_fen",
                available_fen=left["available_fen"],
            )
        )
    await funds.spend(tx, cmd.fund_id, cmd.amount_fen)
    grant_id = uuid.uuid4()
    await model_classes.insert_grant(tx, grant_id, model, cmd.fund_id, cmd.amount_fen, principal.sub)
    work.emit(
        ModelClassGrantPaid(
            class_id=class_id,
            provider_id=model["provider_id"],
            grant_id=grant_id,
            fund_id=cmd.fund_id,
            amount_fen=cmd.amount_fen,
            granted_by=principal.sub,
        )
    )
    return Created({"grant_id": str(grant_id), "provider_id": str(model["provider_id"]), "amount_fen": cmd.amount_fen})
