"""Insurers' answers on the roster: each child's cover for the day, and a check-in without confirmed
cover is let in but flagged to the site lead (checkin.uncovered)."""

from __future__ import annotations

from shared.contracts.enrollment import ChildCoverConfirmed, ChildCoverRefused
from testkit.scenarios import envelope
from tests.attendance.conftest import SiteDay, attendance_events, today
from tests.conftest import Stack


def confirmed(site: SiteDay, child_id, insurer: str = "pingan", policy: str = "PA-2027-0001") -> ChildCoverConfirmed:
    booking = site.bookings[child_id]
    return ChildCoverConfirmed(
        child_id=child_id, programme_id=booking.programme_id, days=booking.days, insurer=insurer, policy_number=policy
    )


def refused(site: SiteDay, child_id, insurer: str = "pingan") -> ChildCoverRefused:
    booking = site.bookings[child_id]
    return ChildCoverRefused(
        child_id=child_id, programme_id=booking.programme_id, days=booking.days, insurer=insurer, reason="超龄"
    )


async def test_a_child_no_insurer_has_answered_for_is_pending_on_the_roster(site: SiteDay) -> None:
    child = await site.book_child()
    row = await site.on_roster(child.child_id, today())
    assert (row["cover"], row["policy_number"]) == ("pending", None)


async def test_a_refused_cover_shows_as_refused_on_the_roster(site: SiteDay) -> None:
    child = await site.book_child()
    await site.deliver([envelope(refused(site, child.child_id))])
    row = await site.on_roster(child.child_id, today())
    assert (row["cover"], row["policy_number"]) == ("refused", None)


async def test_one_insurers_confirmation_covers_the_child_whatever_another_answers(site: SiteDay) -> None:
    child = await site.book_child()
    await site.deliver(
        [envelope(refused(site, child.child_id, "taiping")), envelope(confirmed(site, child.child_id, "pingan"))]
    )
    row = await site.on_roster(child.child_id, today())
    assert (row["cover"], row["policy_number"]) == ("confirmed", "PA-2027-0001")


async def test_an_insurer_that_withdraws_its_cover_leaves_the_child_refused(site: SiteDay) -> None:
    child = await site.book_child()
    answers = [envelope(confirmed(site, child.child_id)), envelope(refused(site, child.child_id))]
    await site.deliver(answers)
    await site.deliver(answers[:1])  # the confirmation again: a duplicate, no effect
    assert (await site.on_roster(child.child_id, today()))["cover"] == "refused"


async def test_a_child_without_confirmed_cover_is_checked_in_and_the_site_lead_is_told(
    stack: Stack, site: SiteDay
) -> None:
    pending, refused_child = await site.book_child(), await site.book_child()
    await site.deliver([envelope(refused(site, refused_child.child_id))])
    for child, cover in ((pending, "pending"), (refused_child, "refused")):
        admitted = await site.check_in(child.child_id)
        assert admitted.status_code == 201 and admitted.json()["cover"] == cover, admitted.text
        (flag,) = await attendance_events(stack, "checkin.uncovered", child.child_id)
        assert (flag["cover"], flag["site_id"], flag["day"]) == (cover, str(site.site_id), today().isoformat())
        assert (await site.on_roster(child.child_id, today()))["status"] == "present"


async def test_a_covered_child_is_checked_in_without_a_flag(stack: Stack, site: SiteDay) -> None:
    child = await site.book_child()
    await site.deliver([envelope(confirmed(site, child.child_id))])
    admitted = await site.check_in(child.child_id)
    assert admitted.status_code == 201 and admitted.json()["cover"] == "confirmed"
    assert await attendance_events(stack, "checkin.uncovered", child.child_id) == []
    assert len(await attendance_events(stack, "child.checked_in", child.child_id)) == 1
