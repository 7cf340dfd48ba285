"""What staff and guardians read: every field of an application, a fund and the figures, with
times written as they always were, and a child's applications for its guardians only."""

from __future__ import annotations

import uuid

from testkit.city import token
from testkit.scenarios import SUMMER_DAYS, child_enrolled, child_registered
from tests.subsidy.conftest import UnionFunds

LISTED = {
    "application_id",
    "booking_id",
    "child_id",
    "days",
    "fee_fen",
    "amount_fen",
    "status",
    "reason",
    "union_path",
    "opened_at",
}
READ = LISTED | {"class_id", "programme_id", "priority_group", "decided_by", "decided_at", "totals"}


async def test_an_application_a_fund_and_the_figures_carry_every_field(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1200, auto_approve_up_to_fen=0)
    booking = union.booking(days=2, group="gig")
    await union.deliver(booking)
    (listed,) = await union.applications(booking.booking_id)
    assert set(listed) == LISTED
    await union.post(f"/applications/{listed['application_id']}/decision", {"approve": True}, expect=200)

    read = (await union.get(f"/applications/{listed['application_id']}")).json()
    assert set(read) == READ
    assert (read["status"], read["days"], read["fee_fen"], read["amount_fen"]) == ("approved", 2, 10_000, 2400)
    assert (read["class_id"], read["programme_id"]) == (str(booking.class_id), str(booking.programme_id))
    assert (read["priority_group"], read["union_path"]) == ("gig", [str(union.union_id)])
    assert read["totals"] == {"reserved": 2400}
    assert read["decided_by"].startswith("union_staff-")
    assert read["opened_at"].endswith("+00:00") and read["decided_at"].endswith("+00:00")

    assert await union.balance(fund) == {
        "fund_id": fund,
        "union_id": str(union.union_id),
        "name": "专项资金",
        "budget_fen": 100_000,
        "reserved_fen": 2400,
        "spent_fen": 0,
        "available_fen": 100_000 - 2400,
    }
    spending = (await union.get(f"/unions/{union.union_id}/spending?by=programme")).json()
    assert spending == {
        "union_id": str(union.union_id),
        "by": "programme",
        "rows": [{"key": str(booking.programme_id), "reserved_fen": 2400, "spent_fen": 0, "children": 1}],
    }
    ledger = await union.get(f"/unions/{union.union_id}/ledger.csv")
    assert ledger.headers["content-type"].startswith("text/csv")
    assert ledger.headers["content-disposition"] == f'attachment; filename="ledger-{union.union_id}.csv"'


async def test_a_childs_applications_are_read_by_its_guardians_only(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000)
    registered = child_registered(guardians=2)
    booking = child_enrolled(
        child_id=registered.child_id, days=list(SUMMER_DAYS[:2]), union_path=(union.union_id,), fee_per_day_fen=5000
    )
    await union.deliver(registered)
    await union.deliver(booking)
    path = f"/children/{registered.child_id}/applications"

    for guardian in registered.guardians:
        answer = await union.get(path, token("parent", member_id=guardian.guardian_id))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["child_id"] == str(registered.child_id)
        assert [(a["booking_id"], a["amount_fen"]) for a in body["applications"]] == [(str(booking.booking_id), 2000)]
        assert set(body["applications"][0]) == LISTED
    stranger = await union.get(path, token("parent", member_id=uuid.uuid4()))
    assert stranger.status_code == 403
    assert (await union.get(path)).status_code == 200  # the union's own staff
