"""What parents read of enrollment's news, notify in the test's process: a booking changed or
cancelled and by whom, a promotion with its deadline, a priority claim verified or rejected."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.contracts.enrollment import (
    ABSENCE_REPORTED,
    BookingCancelled,
    BookingChanged,
    BookingPromoted,
    ChildUpdated,
    PriorityRejected,
    PriorityVerified,
)
from shared.timezones import LOCAL_TIME
from testkit.scenarios import SUMMER_DAYS, child_enrolled, envelope
from tests.conftest import Stack
from tests.notify.conftest import INAPP, Family
from tests.notify.test_in_process import notify  # noqa: F401  (the module's own notify in the test's process)
from tests.support.inprocess import InProcess


async def announced(stack: Stack, notify: InProcess) -> tuple[Family, uuid.UUID]:  # noqa: F811
    """Two guardians reading in-app, their child's registration delivered."""
    family = Family.unannounced(stack, notify.http, [INAPP], [INAPP])
    await notify.deliver(envelope(family.registered))
    return family, family.registered.child_id


async def test_parents_are_told_who_changed_a_booking_the_promotions_deadline_and_the_priority_decision(
    stack: Stack,
    notify: InProcess,  # noqa: F811
) -> None:
    family, child_id = await announced(stack, notify)
    english = await notify.http.put(
        f"/guardians/{family.guardian_id(1)}/preferences",
        json={"language": "en"},
        headers={"Authorization": f"Bearer {family.token(1)}"},
    )
    assert english.status_code == 200, english.text
    booking = child_enrolled(child_id=child_id, days=SUMMER_DAYS[:3])
    ids = {"booking_id": booking.booking_id, "child_id": child_id, "class_id": booking.class_id}
    accept_by = dt.datetime(2027, 7, 2, 10, 0, tzinfo=LOCAL_TIME)
    promoted = BookingPromoted(
        **booking.model_dump(exclude={"booking_id"}), booking_id=uuid.uuid4(), accept_by=accept_by
    )
    events = [
        BookingChanged(
            **ids, removed_days=(SUMMER_DAYS[2],), confirmed_days=SUMMER_DAYS[:2], waitlisted_days=(), by="union_staff"
        ),
        BookingCancelled(**ids, days=SUMMER_DAYS[:2], reason="plans changed", by="system"),
        promoted,
        PriorityVerified(
            child_id=child_id, claim_id=uuid.uuid4(), category="gig", reason="证明齐全", priority_group="gig"
        ),
        PriorityRejected(child_id=child_id, claim_id=uuid.uuid4(), category="hardship", reason="证明已过期"),
    ]
    await notify.deliver(*(envelope(e) for e in events))
    told = {n["source_type"]: n["body"] for n in await family.inbox(0)}
    assert told == {
        "booking.changed": "小红 的托管预订已变更（由工会工作人员操作）：取消 1 天（07月07日）。",
        "booking.cancelled": "小红 的托管预订已取消（由系统自动处理）。",
        "booking.promoted": "好消息：小红 候补成功，获得 3 天名额（07月05日–07月07日）。"
        "请在 07月02日 10:00 前确认或放弃，逾期名额将顺延给下一位。",
        "priority.verified": "小红 的优先资格（新就业形态劳动者）已审核通过（证明齐全），适用于此后的预订。",
        "priority.rejected": "小红 的优先资格申请（困难职工）未通过：证明已过期。",
    }
    in_english = {n["source_type"]: n["body"] for n in await family.inbox(1)}
    assert in_english["booking.changed"] == "小红's booking changed (by union staff): 1 days given up (07 Jul)."
    assert in_english["booking.cancelled"] == "小红's booking is cancelled (automatically)."
    assert in_english["booking.promoted"].endswith(
        "Accept or release it by 02 Jul 10:00; otherwise it goes to the next child."
    )
    assert in_english["priority.rejected"] == "小红's priority claim as a hardship family was not accepted: 证明已过期."


async def test_every_guardian_is_told_the_childs_record_changed_and_by_whom(
    stack: Stack,
    notify: InProcess,  # noqa: F811
) -> None:
    family, child_id = await announced(stack, notify)
    changes = [
        ChildUpdated(child_id=child_id, changed=("authorised_adults", "health_notes"), by="parent", by_name="王芳"),
        ChildUpdated(
            child_id=child_id, changed=("guardians",), by="union_staff", by_id="staff-1", guardian_removed="李强"
        ),
    ]
    await notify.deliver(*(envelope(e) for e in changes))
    for guardian in (0, 1):
        told = [n["body"] for n in await family.inbox(guardian) if n["source_type"] == "child.updated"]
        assert sorted(told) == [
            "小红 的档案已更新（由 王芳 操作）：授权接送人、健康与过敏信息。",
            "小红 的档案已更新（由工会工作人员操作）：监护人。李强 已不再是监护人。",
        ], f"guardian {guardian}"


async def test_a_reported_absence_is_told_as_an_absence(
    stack: Stack,
    notify: InProcess,  # noqa: F811
) -> None:
    family, child_id = await announced(stack, notify)
    absent = BookingChanged(
        booking_id=uuid.uuid4(),
        child_id=child_id,
        class_id=uuid.uuid4(),
        removed_days=(SUMMER_DAYS[1],),
        confirmed_days=(SUMMER_DAYS[0],),
        waitlisted_days=(),
        reason=ABSENCE_REPORTED,
        by="parent",
    )
    await notify.deliver(envelope(absent))
    (told,) = [n["body"] for n in await family.inbox(0) if n["source_type"] == "booking.changed"]
    assert told == "已为 小红 报告缺勤（由家长操作）：07月06日，名额将让给候补的孩子，当天不收费。"
