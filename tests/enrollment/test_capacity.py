"""Seats are capped per class and day, even in the rush when registration opens."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from testkit.city import SUMMER, City
from tests.support.inprocess import InProcess

RUSH = 500
SEATS = 40


async def test_a_rush_of_500_for_40_seats_confirms_exactly_40_a_day_and_waitlists_the_rest_by_priority(
    enrollment: InProcess, city: City
) -> None:
    henan = await city.union("河南省总工会")
    network = await city.network(henan)
    class_id = await city.klass(network, capacity=SEATS, days=SUMMER[:2])
    rng = random.Random(7)
    families = []
    for i in range(RUSH):
        parent = city.parent(henan)
        category = rng.choice(["gig"] * 2 + ["hardship", "migrant", "model_worker"] + ["regular"] * 5)
        families.append((parent, (await city.child(parent, category=category, name=f"孩子{i}"))["child_id"], category))

    answers = await asyncio.gather(*(city.book(p, c, class_id, days=SUMMER[:2]) for p, c, _ in families))
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"confirmed": SEATS, "waitlisted": RUSH - SEATS}, statuses

    db = enrollment.runtime.pool
    per_day = await db.fetch(
        """SELECT day, count(*) FILTER (WHERE state = 'confirmed') AS confirmed,
                  count(*) FILTER (WHERE state = 'waitlisted') AS waiting
           FROM booking_days WHERE class_id = $1 GROUP BY day ORDER BY day""",
        class_id,
    )
    seat_counts = await db.fetch(
        "SELECT day, sum(taken) AS taken FROM seat_counts WHERE class_id = $1 GROUP BY day", class_id
    )
    seq_of = {
        str(r["booking_id"]): r["seq"]
        for r in await db.fetch("SELECT booking_id, seq FROM bookings WHERE class_id = $1", class_id)
    }
    assert [(r["confirmed"], r["waiting"]) for r in per_day] == [(SEATS, RUSH - SEATS)] * 2
    assert {r["taken"] for r in seat_counts} == {SEATS}

    # Now that the rush is over, the waitlist reads: priority first, then arrival.
    order = ["gig", "hardship", "migrant", "model_worker", "dual_worker", "regular"]
    waiting = [
        (a.json()["booking_id"], p)
        for a, (p, _, _) in zip(answers, families, strict=True)
        if a.json()["status"] == "waitlisted"
    ]
    looked_up = await asyncio.gather(*(city.get(f"/bookings/{b}", p.token) for b, p in waiting))
    queue = sorted(
        (r.json()["days"][0]["waitlist_position"], r.json()["priority_group"], seq_of[r.json()["booking_id"]])
        for r in looked_up
    )
    assert [position for position, _, _ in queue] == list(range(1, RUSH - SEATS + 1))
    served = [(order.index(group), seq) for _, group, seq in queue]
    assert served == sorted(served), "gig before hardship before ... before regular, then first come first served"
    assert len(await enrollment.emitted("booking.waitlisted", class_id=class_id)) == RUSH - SEATS
    assert len(await enrollment.emitted("child.enrolled", class_id=class_id)) == SEATS


async def test_availability_shows_free_seats_per_pool_and_the_waitlist(city: City) -> None:
    union = await city.union("朝阳区总工会", level="city")
    network = await city.network(union)
    class_id = await city.klass(
        network,
        capacity=3,
        days=SUMMER[:1],
        quotas=[{"priority_group": "gig", "seats": 1, "release_at": "2030-01-01T00:00:00Z"}],
    )
    for _ in range(3):
        parent = city.parent(union)
        await city.book(parent, (await city.child(parent))["child_id"], class_id, days=SUMMER[:1])
    found = (
        await city.get(
            f"/classes/{class_id}/availability",
            union.staff,
            **{"from": SUMMER[0].isoformat(), "to": SUMMER[0].isoformat()},
        )
    ).json()
    (day,) = found["days"]
    assert day == {
        "day": SUMMER[0].isoformat(),
        "capacity": 3,
        "taken": 2,
        "free": {"general": 0, "gig": 1},
        "waitlisted": 1,
    }
