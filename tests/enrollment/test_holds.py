"""Waitlist promotion with a deadline (ENROLLMENT_PROMOTION_HOLD_S): the promoted seat is the
family's to accept or release until then; not accepted by then, it goes to the next child. Also:
every change and cancellation of a booking says who made it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from services.enrollment.handlers.holds import release_lapsed
from shared.contracts.partners import CoverEnded
from shared.uow import UnitOfWork
from testkit.city import SUMMER, City, Parent
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import InProcess, in_process

HOLD = dt.timedelta(hours=24)


@pytest.fixture(scope="module")
async def enrollment(stack: Stack) -> AsyncIterator[InProcess]:
    env = {**_fast_retries(), "ENROLLMENT_PROMOTION_HOLD_S": str(int(HOLD.total_seconds()))}
    async with in_process(stack, "enrollment", **env) as service:
        yield service


async def _full_class(city: City, families: int) -> tuple[object, list[tuple[Parent, dict]]]:
    """A one-seat class for a day, its seat booked by the first family and the others waiting."""
    union = await city.union("开封市总工会")
    class_id = await city.klass(await city.network(union), capacity=1, days=SUMMER[:1])
    booked = []
    for _ in range(families):
        parent = city.parent(union)
        child = await city.child(parent)
        booked.append((parent, (await city.book(parent, child["child_id"], class_id, days=SUMMER[:1])).json()))
    return union, booked


async def _lapse(enrollment: InProcess, after: dt.timedelta) -> int:
    """The deadline timer, run as if ``after`` had passed."""
    async with UnitOfWork.begin(enrollment.runtime.pool, enrollment.runtime.outbox) as uow:
        return await release_lapsed(uow, now=dt.datetime.now(dt.UTC) + after, hold=HOLD)


async def test_a_promoted_seat_not_accepted_by_its_deadline_goes_to_the_next_child(
    enrollment: InProcess, city: City
) -> None:
    _, [(holder, held), (second, waiting), (_, last)] = await _full_class(city, 3)
    await city.post(f"/bookings/{held['booking_id']}/cancellation", {}, holder.token, expect=200)
    (promoted,) = await enrollment.emitted("booking.promoted", booking_id=waiting["booking_id"])
    accept_by = dt.datetime.fromisoformat(promoted["accept_by"])
    assert abs(accept_by - (dt.datetime.now(dt.UTC) + HOLD)) < dt.timedelta(minutes=5), "the deadline is told"
    seen = (await city.get(f"/bookings/{waiting['booking_id']}", second.token)).json()
    assert seen["days"][0]["state"] == "confirmed" and seen["days"][0]["accept_by"], "held: counted, not yet accepted"

    assert await _lapse(enrollment, dt.timedelta(hours=1)) == 0, "before the deadline nothing moves"
    assert await _lapse(enrollment, HOLD + dt.timedelta(minutes=1)) >= 1
    (lapsed,) = await enrollment.emitted("booking.cancelled", booking_id=waiting["booking_id"])
    assert (lapsed["by"], lapsed["by_id"]) == ("system", None)
    assert lapsed["reason"] == "the promoted seat was not accepted by its deadline"
    (next_promoted,) = await enrollment.emitted("booking.promoted", booking_id=last["booking_id"])
    assert next_promoted["accept_by"], "the next child's seat is held for them in turn"
    late = await city.post(f"/bookings/{waiting['booking_id']}/promotion/acceptance", {}, second.token, expect=409)
    assert "past its deadline" in late.json()["reasons"][0]["reason"]
    assert await _lapse(enrollment, HOLD * 3) >= 1, "the next child's hold lapses in turn"
    assert len(await enrollment.emitted("booking.cancelled", booking_id=waiting["booking_id"])) == 1, "lapsed once"
    (also_lapsed,) = await enrollment.emitted("booking.cancelled", booking_id=last["booking_id"])
    assert also_lapsed["by"] == "system"


async def test_an_accepted_seat_stays_and_a_released_one_goes_on(enrollment: InProcess, city: City) -> None:
    union, [(_, held), (second, waiting), (third, last)] = await _full_class(city, 3)
    await city.post(f"/bookings/{held['booking_id']}/cancellation", {}, union.staff, expect=200)
    (by_staff,) = await enrollment.emitted("booking.cancelled", booking_id=held["booking_id"])
    assert by_staff["by"] == "union_staff" and by_staff["by_id"].startswith("union_staff-"), "staff are named"

    stranger = city.parent(union)
    url = f"/bookings/{waiting['booking_id']}/promotion"
    assert (await city.post(f"{url}/acceptance", {}, stranger.token, expect=403)).status_code == 403
    accepted = await city.post(f"{url}/acceptance", {}, second.token, expect=200, key="accept-once-0001")
    assert accepted.json()["accepted_days"] == [SUMMER[0].isoformat()]
    again = await city.post(f"{url}/acceptance", {}, second.token, expect=200, key="accept-once-0001")
    assert again.json() == accepted.json(), "a retried acceptance is the same acceptance"
    assert (await city.post(f"{url}/acceptance", {}, second.token, expect=409)).status_code == 409
    assert (await city.post(f"{url}/release", {}, second.token, expect=409)).status_code == 409, "nothing held"
    await _lapse(enrollment, HOLD * 2)
    assert not await enrollment.emitted("booking.cancelled", booking_id=waiting["booking_id"]), "accepted: kept"

    # The accepted family gives the seat up after all; the last one's promotion they release at once.
    await city.post(f"/bookings/{waiting['booking_id']}/cancellation", {}, second.token, expect=200)
    (by_parent,) = await enrollment.emitted("booking.cancelled", booking_id=waiting["booking_id"])
    assert (by_parent["by"], by_parent["by_id"]) == ("parent", None), "a parent is not named in the event"
    released = await city.post(f"/bookings/{last['booking_id']}/promotion/release", {}, third.token, expect=200)
    assert released.json()["status"] == "cancelled"
    (gone,) = await enrollment.emitted("booking.cancelled", booking_id=last["booking_id"])
    assert (gone["by"], gone["reason"]) == ("parent", "the family released the promoted seat")
    assert released.json()["promoted_bookings"] == [], "nobody else waits"


async def test_a_partial_change_says_who_made_it_and_partners_never_learn_who(
    enrollment: InProcess, city: City
) -> None:
    union = await city.union("安阳市总工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:2])
    parent = city.parent(union)
    booking = (await city.book(parent, (await city.child(parent))["child_id"], class_id, days=SUMMER[:2])).json()
    body = {"days": [SUMMER[1].isoformat()]}
    await city.post(f"/bookings/{booking['booking_id']}/cancellation", body, parent.token, expect=200)
    (changed,) = await enrollment.emitted("booking.changed", booking_id=booking["booking_id"])
    assert (changed["by"], changed["by_id"]) == ("parent", None)
    assert not {"by", "by_id"} & set(CoverEnded.model_fields), "the insurer's feed of a given-up day says no who"


async def test_an_acceptance_racing_the_deadline_timer_has_exactly_one_effect(
    enrollment: InProcess, city: City
) -> None:
    union, [(holder, held), (second, waiting)] = await _full_class(city, 2)
    await city.post(f"/bookings/{held['booking_id']}/cancellation", {}, holder.token, expect=200)
    accepting = city.post(f"/bookings/{waiting['booking_id']}/promotion/acceptance", {}, second.token, expect=None)
    answer, _ = await asyncio.gather(accepting, _lapse(enrollment, HOLD + dt.timedelta(minutes=1)))
    lapsed = await enrollment.emitted("booking.cancelled", booking_id=waiting["booking_id"])
    if answer.status_code == 200:
        assert lapsed == [], "accepted first: the timer left the seat alone"
    else:
        assert answer.status_code == 409 and len(lapsed) == 1, "released first: the acceptance came too late"
    class_id = (await city.get(f"/bookings/{waiting['booking_id']}", second.token)).json()["class_id"]
    day = SUMMER[0].isoformat()
    seats = (await city.get(f"/classes/{class_id}/availability", union.staff, **{"from": day, "to": day})).json()
    assert seats["days"][0]["taken"] == (1 if answer.status_code == 200 else 0), "the seat is counted once or not"
