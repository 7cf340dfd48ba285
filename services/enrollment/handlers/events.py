"""Event handlers of the enrollment service: insurers' answers about the covers they were told of."""

from __future__ import annotations

from services.enrollment.handlers import insurance
from shared.contracts.partners import CoverConfirmed, CoverRefused
from shared.routing import EventRouter
from shared.uow import UnitOfWork

events = EventRouter()


@events.on(CoverConfirmed)
async def cover_confirmed(event: CoverConfirmed, uow: UnitOfWork) -> None:
    await insurance.answer(uow, event.cover_id, "confirmed", policy_number=event.policy_number)


@events.on(CoverRefused)
async def cover_refused(event: CoverRefused, uow: UnitOfWork) -> None:
    await insurance.answer(uow, event.cover_id, "refused", reason=event.reason)
