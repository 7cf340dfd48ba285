"""A site's daily logs, kept by the provider's staff at the site: disinfection rounds, the menu,
food samples (留样, kept 48 hours before they may be discarded) and the health worker's morning check."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.attendance.db import logs
from services.attendance.domain.commands import DiscardSample, Disinfection, FoodSample, Menu, MorningCheck
from services.attendance.domain.logs import early_discard, off_the_day
from services.attendance.handlers.scope import site_of
from shared.errors import Conflict, Invalid, NotFound
from shared.outcomes import Created, Done
from shared.uow import UnitOfWork


async def _at_site(uow: UnitOfWork, site_id: uuid.UUID) -> asyncpg.Record:
    return await site_of(uow, site_id, provider_only=True)


def _on_the_day(moment: dt.datetime, day: dt.date, now: dt.datetime, field: str) -> None:
    if reason := off_the_day(moment, day, now):
        raise Invalid(reason, field=field)


async def disinfected(site_id: uuid.UUID, day: dt.date, cmd: Disinfection, uow: UnitOfWork) -> Created:
    await _at_site(uow, site_id)
    _on_the_day(cmd.done_at, day, uow.issuer.now, "done_at")
    log_id = uuid.uuid4()
    await logs.add_disinfection(uow.tx, site_id, day, log_id, cmd, uow.issuer.principal.sub)
    return Created({"disinfection_id": str(log_id), "site_id": str(site_id), "day": day.isoformat()})


async def set_menu(site_id: uuid.UUID, day: dt.date, cmd: Menu, uow: UnitOfWork) -> Done:
    await _at_site(uow, site_id)
    meals = [m.model_dump(mode="json") for m in cmd.meals]
    if len({m["meal"] for m in meals}) != len(meals):
        raise Invalid("each meal is listed once", field="meals")
    await logs.set_menu(uow.tx, site_id, day, meals, uow.issuer.principal.sub, uow.issuer.now)
    return Done({"site_id": str(site_id), "day": day.isoformat(), "meals": meals})


async def keep_sample(site_id: uuid.UUID, day: dt.date, cmd: FoodSample, uow: UnitOfWork) -> Created:
    await _at_site(uow, site_id)
    _on_the_day(cmd.kept_at, day, uow.issuer.now, "kept_at")
    sample_id = uuid.uuid4()
    await logs.keep_sample(uow.tx, site_id, day, sample_id, cmd, uow.issuer.principal.sub)
    return Created({"sample_id": str(sample_id), "site_id": str(site_id), "day": day.isoformat(), "dish": cmd.dish})


async def discard_sample(site_id: uuid.UUID, sample_id: uuid.UUID, cmd: DiscardSample, uow: UnitOfWork) -> Done:
    await _at_site(uow, site_id)
    sample = await logs.sample_for_update(uow.tx, site_id, sample_id)
    if sample is None:
        raise NotFound("no such food sample at this site", field="sample_id")
    if sample["discarded_at"] is not None:
        raise Conflict("the sample was discarded already", field="sample_id")
    if cmd.discarded_at > uow.issuer.now + dt.timedelta(minutes=2):
        raise Invalid("it is in the future", field="discarded_at")
    if reason := early_discard(sample["kept_at"], cmd.discarded_at):
        raise Invalid(reason, field="discarded_at")
    await logs.discard_sample(uow.tx, sample_id, cmd.discarded_at, uow.issuer.principal.sub)
    return Done({"sample_id": str(sample_id), "discarded_at": cmd.discarded_at.isoformat()})


async def morning_check(site_id: uuid.UUID, day: dt.date, cmd: MorningCheck, uow: UnitOfWork) -> Done:
    await _at_site(uow, site_id)
    _on_the_day(cmd.checked_at, day, uow.issuer.now, "checked_at")
    await logs.set_morning_check(uow.tx, site_id, day, cmd, uow.issuer.principal.sub)
    return Done({"site_id": str(site_id), "day": day.isoformat(), **cmd.model_dump(mode="json")})
