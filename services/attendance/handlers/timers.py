"""Firing due timers: absences at the check-in cut-off, late pick-up escalation after closing.

Each timer fires once: it is claimed with a row lock, its effect and its event are written,
and it is marked fired, all in one transaction. A timer that fell due while the service was
down fires on the first tick after it comes back.
"""

from __future__ import annotations

import datetime as dt

from services.attendance.db import checkin, pickup, roster, timers
from services.attendance.domain.hours import ESCALATION
from shared import statistics
from shared.contracts.attendance import ChildAbsent, LatePickupEscalated
from shared.uow import UnitOfWork


async def fire_due(uow: UnitOfWork, *, now: dt.datetime) -> int:
    tx = uow.tx
    due = await timers.claim_due(tx, now)
    for timer in due:
        entry = await roster.entry(tx, timer["child_id"], timer["day"])
        admitted = await checkin.admission(tx, timer["child_id"], timer["day"])
        if entry is not None:
            where = {
                "child_id": timer["child_id"],
                "class_id": timer["class_id"],
                "site_id": entry["site_id"],
                "day": timer["day"],
            }
            union_id = entry["union_path"][-1] if entry["union_path"] else None
            if timer["kind"] == "absence" and admitted is None:
                await checkin.mark_absent(tx, timer["child_id"], timer["day"], timer["class_id"])
                uow.emit(
                    ChildAbsent(**where, booking_id=entry["booking_id"], programme_id=entry["programme_id"]),
                    union_id=union_id,
                )
                if union_id is not None:
                    await statistics.count(
                        tx,
                        statistics.Fact(
                            "absent",
                            f"{timer['child_id']}:{timer['day']}",
                            union_id,
                            timer["child_id"],
                            class_type=entry["class_type"],
                        ),
                    )
            elif (
                timer["kind"] == "late_pickup"
                and admitted is not None
                and await pickup.handover(tx, timer["child_id"], timer["day"]) is None
            ):
                uow.emit(
                    LatePickupEscalated(**where, step=timer["step"], audience=ESCALATION[timer["step"]]),
                    union_id=union_id,
                )
        await timers.mark_fired(tx, timer["timer_id"], now)
    return len(due)
