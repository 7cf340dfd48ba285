"""Everyone who must know is told, in notify's own process: parents of an absence and of a refused
subsidy; a late pick-up's step 2 reaches the child's emergency contact and step 3 the site's lead,
who are not guardians and are told on their own phone; a site's lead of its staffing ratio; a
union's staff of its fund running low or dry. Staff contacts are named only by the staff
responsible, with reasons for every refusal."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.contracts.attendance import (
    CheckInUncovered,
    ChildAbsent,
    LatePickupEscalated,
    QualificationExpired,
    StaffingRatioExceeded,
    StaffingRatioRestored,
    StaffingRoleFilled,
    StaffingRoleMissing,
)
from shared.contracts.enrollment import EmergencyContact, SiteOpened
from shared.contracts.subsidy import FundExhausted, FundLow, SubsidyRejected
from testkit.city import token
from testkit.scenarios import envelope
from tests.conftest import Stack, _fast_retries
from tests.notify.conftest import AT, GATEWAY_SECRET, INAPP, Family
from tests.support.inprocess import InProcess, in_process


@pytest.fixture(scope="module")
async def notify(stack: Stack) -> AsyncIterator[InProcess]:
    # Timers tick once at the start, then not again: what is due stays in the table to be read.
    env = {**_fast_retries(), "NOTIFY_GATEWAY_SECRET": GATEWAY_SECRET, "NOTIFY_TIMER_INTERVAL_S": "3600"}
    async with in_process(stack, "notify", **env) as service:
        yield service


def bearer(role: str, **ids: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **ids)}", "Idempotency-Key": f"key-{uuid.uuid4()}"}


async def sent_to(service: InProcess, address: str) -> list[asyncpg.Record]:
    """Every notification written for ``address``, oldest first."""
    return await service.runtime.pool.fetch(
        "SELECT source_type, recipient, guardian_id, channel, body, safety, status FROM notifications "
        "WHERE address = $1 ORDER BY created_at",
        address,
    )


def a_phone() -> str:
    return f"+86 138 {uuid.uuid4().int % 10**8:08d}"


async def a_family_with_an_emergency_contact(stack: Stack, notify: InProcess) -> tuple[Family, str]:
    """A registered family whose grandmother is the emergency contact; her phone."""
    family = Family.unannounced(stack, notify.http, [INAPP])
    grandma = EmergencyContact(display_name="外婆", phone=a_phone())
    family.registered = family.registered.model_copy(update={"emergency_contact": grandma})
    await notify.deliver(envelope(family.registered))
    return family, grandma.phone


async def a_site_with_its_lead(notify: InProcess, phone: str) -> SiteOpened:
    """A site enrollment opened, whose provider names its lead."""
    site = SiteOpened(
        site_id=uuid.uuid4(), network_id=uuid.uuid4(), provider_id=uuid.uuid4(), union_path=(uuid.uuid4(),)
    )
    await notify.deliver(envelope(site))
    named = await notify.http.post(
        f"/sites/{site.site_id}/staff-contacts",
        json={"display_name": "王老师", "kind": "sms", "address": phone},
        headers=bearer("provider_staff", provider_id=site.provider_id),
    )
    assert named.status_code == 201, named.text
    return site


def late(family: Family, site_id: uuid.UUID, step: int) -> LatePickupEscalated:
    audience = {1: "guardians", 2: "emergency_contact", 3: "site_lead"}[step]
    return LatePickupEscalated(
        child_id=family.registered.child_id,
        class_id=uuid.uuid4(),
        site_id=site_id,
        day=AT.date(),
        step=step,
        audience=audience,
    )


async def test_a_late_pickup_reaches_the_emergency_contact_at_step_2_and_the_site_lead_at_step_3(
    stack: Stack, notify: InProcess
) -> None:
    family, grandmas_phone = await a_family_with_an_emergency_contact(stack, notify)
    leads_phone = a_phone()
    site = await a_site_with_its_lead(notify, leads_phone)
    steps = [envelope(late(family, site.site_id, step)) for step in (1, 2, 3)]
    for step in steps:
        await notify.deliver(step)
    await notify.deliver(steps[1], steps[2])  # Kafka delivers at least once: told once all the same

    (alert,) = await family.inbox(0)
    assert alert["body"] == "小红 仍在托管点，已过离园时间，请尽快来接。", "the guardians get step 1, as before"
    (grandma,) = await sent_to(notify, grandmas_phone)
    assert grandma["recipient"] == "emergency_contact" and grandma["channel"] == "sms" and grandma["safety"]
    assert "紧急联系人" in grandma["body"] and "小红" in grandma["body"]
    (lead,) = await sent_to(notify, leads_phone)
    assert lead["recipient"] == "staff" and lead["safety"] and "现场负责人" in lead["body"] and "小红" in lead["body"]
    assert grandma["status"] == lead["status"] == "pending", "on their own channel, for the dispatcher"
    not_guardians = {grandma["guardian_id"], lead["guardian_id"]}
    assert not not_guardians & {g.guardian_id for g in family.registered.guardians}
    for receipt in await notify.emitted("notification.delivered"):
        assert uuid.UUID(receipt["guardian_id"]) not in not_guardians, "only guardians' notifications are announced"


async def test_nothing_meant_for_the_guardians_reaches_the_emergency_contact(stack: Stack, notify: InProcess) -> None:
    family, grandmas_phone = await a_family_with_an_emergency_contact(stack, notify)
    site_id = uuid.uuid4()
    absent = ChildAbsent(
        child_id=family.registered.child_id,
        class_id=uuid.uuid4(),
        site_id=site_id,
        day=AT.date(),
        booking_id=uuid.uuid4(),
        programme_id=uuid.uuid4(),
    )
    await notify.deliver(envelope(absent), envelope(late(family, site_id, 1)))
    assert len(await family.inbox(0)) == 2
    assert await sent_to(notify, grandmas_phone) == [], "the absence and step 1 are for the guardians alone"
    await notify.deliver(envelope(late(family, site_id, 2)))
    (step_2,) = await sent_to(notify, grandmas_phone)
    assert "缺勤" not in step_2["body"] and "请尽快来接" not in step_2["body"]


async def test_a_late_pickup_that_overtook_the_registration_reaches_the_emergency_contact_when_it_comes(
    stack: Stack, notify: InProcess
) -> None:
    family = Family.unannounced(stack, notify.http, [INAPP])
    family.registered = family.registered.model_copy(
        update={"emergency_contact": EmergencyContact(display_name="舅舅", phone="+86 137 0000 3333")}
    )
    await notify.deliver(envelope(late(family, uuid.uuid4(), 2)))
    assert await sent_to(notify, "+86 137 0000 3333") == []
    await notify.deliver(envelope(family.registered))
    (told,) = await sent_to(notify, "+86 137 0000 3333")
    assert told["source_type"] == "pickup.late_escalated"


async def test_a_staffing_ratio_exceeded_tells_the_site_lead(notify: InProcess) -> None:
    phone = a_phone()
    site = await a_site_with_its_lead(notify, phone)
    over = StaffingRatioExceeded(
        class_id=uuid.uuid4(),
        site_id=site.site_id,
        day=AT.date(),
        children_present=9,
        staff_on_duty=1,
        children_per_staff=7,
    )
    await notify.deliver(envelope(over))
    (alert,) = await sent_to(notify, phone)
    assert alert["source_type"] == "staffing.ratio_exceeded" and alert["safety"]
    assert "在园 9 名儿童" in alert["body"] and "每人 7 名" in alert["body"]
    restored = StaffingRatioRestored(**{**over.model_dump(), "children_present": 7})
    await notify.deliver(envelope(restored))
    _, cleared = await sent_to(notify, phone)
    assert cleared["source_type"] == "staffing.ratio_restored" and not cleared["safety"] and "已恢复" in cleared["body"]


async def test_a_missing_role_and_a_lapsed_certificate_tell_the_site_lead_and_the_union(notify: InProcess) -> None:
    lead, union_phone = a_phone(), a_phone()
    site = await a_site_with_its_lead(notify, lead)
    union_id = site.union_path[-1]
    named = await notify.http.post(
        f"/unions/{union_id}/staff-contacts",
        json={"display_name": "刘主席", "kind": "sms", "address": union_phone},
        headers=bearer("union_staff", union_id=union_id),
    )
    assert named.status_code == 201, named.text
    where = {"class_id": uuid.uuid4(), "site_id": site.site_id, "day": AT.date(), "union_id": union_id}
    missing = StaffingRoleMissing(**where, role="teacher", required=2, on_duty=1, children=11)
    lapsed = QualificationExpired(
        **where, staff_name="刘医生", role="health worker", qualification="health_certificate", expires_on=AT.date()
    )
    await notify.deliver(envelope(missing), envelope(lapsed))
    await notify.deliver(envelope(StaffingRoleFilled(**{**missing.model_dump(), "on_duty": 2})))
    for phone in (lead, union_phone):
        told = await sent_to(notify, phone)
        assert [(t["source_type"], t["safety"]) for t in told] == [
            ("staffing.role_missing", True),
            ("staffing.qualification_expired", True),
            ("staffing.role_filled", False),
        ]
        bodies = " ".join(t["body"] for t in told)
        assert "仅 1 名teacher在岗" in bodies and "健康证已于" in bodies and "已到岗（2/2）" in bodies


async def test_a_child_checked_in_without_confirmed_cover_is_flagged_to_the_site_lead_once(
    stack: Stack, notify: InProcess
) -> None:
    phone = a_phone()
    site = await a_site_with_its_lead(notify, phone)
    family = Family.unannounced(stack, notify.http, [INAPP])
    await notify.deliver(envelope(family.registered))
    uncovered = envelope(
        CheckInUncovered(
            child_id=family.registered.child_id,
            class_id=uuid.uuid4(),
            site_id=site.site_id,
            day=AT.date(),
            booking_id=uuid.uuid4(),
            programme_id=uuid.uuid4(),
            cover="pending",
            at=AT,
        )
    )
    await notify.deliver(uncovered, uncovered)
    (flag,) = await sent_to(notify, phone)
    assert flag["source_type"] == "checkin.uncovered" and flag["recipient"] == "staff" and not flag["safety"]
    assert family.registered.display_name in flag["body"] and "保险公司尚未确认承保" in flag["body"]


async def test_a_fund_running_low_then_dry_tells_its_unions_staff_contact_once_each(notify: InProcess) -> None:
    union_id = uuid.uuid4()
    named = await notify.http.post(
        f"/unions/{union_id}/staff-contacts",
        json={"display_name": "Li Na", "kind": "email", "address": "fund@union.example.org", "language": "en"},
        headers=bearer("union_staff", union_id=union_id),
    )
    assert named.status_code == 201, named.text
    fund_id = uuid.uuid4()
    low = envelope(FundLow(fund_id=fund_id, budget_fen=100_000_00, available_fen=9_000_00, union_id=union_id))
    dry = envelope(FundExhausted(fund_id=fund_id, budget_fen=100_000_00, available_fen=120_00, union_id=union_id))
    elsewhere = envelope(FundLow(fund_id=uuid.uuid4(), budget_fen=100, available_fen=5, union_id=uuid.uuid4()))
    await notify.deliver(low, low, elsewhere)
    await notify.deliver(dry)
    await notify.deliver(dry)  # delivered again: told once
    told = await sent_to(notify, "fund@union.example.org")
    assert [t["source_type"] for t in told] == ["fund.low", "fund.exhausted"]
    assert "¥9000.00 of ¥100000.00 is left" in told[0]["body"]
    assert "exhausted" in told[1]["body"] and "being rejected" in told[1]["body"]


async def test_a_parent_is_told_why_a_subsidy_was_rejected(stack: Stack, notify: InProcess) -> None:
    family = Family.unannounced(stack, notify.http, [INAPP])
    await notify.deliver(envelope(family.registered))
    by_rule = SubsidyRejected(
        application_id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        child_id=family.registered.child_id,
        reason=f"fund {uuid.uuid4()} cannot cover ¥100.00",
        reason_code="fund_exhausted",
        decided_by="system",
    )
    by_staff = by_rule.model_copy(
        update={"application_id": uuid.uuid4(), "reason": "证明材料不全", "reason_code": None}
    )
    await notify.deliver(envelope(by_rule))
    await notify.deliver(envelope(by_staff))
    staff_said, rule_said = await family.inbox(0)
    assert rule_said["body"] == "小红 的托管费补贴未获批准，原因：工会补贴资金已用完。预订不受影响。"
    assert staff_said["body"] == "小红 的托管费补贴未获批准，原因：证明材料不全。预订不受影响。"


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"display_name": "王老师", "kind": "sms", "address": "call me"}, "address", "not a phone number"),
        ({"display_name": "王老师", "kind": "email", "address": "wang.example.org"}, "address", "not an e-mail"),
        ({"display_name": "王老师", "kind": "fax", "address": "+86 139 0000 2222"}, "kind", ""),
        ({"display_name": "", "kind": "sms", "address": "+86 139 0000 2222"}, "display_name", ""),
        ({"display_name": "王老师", "kind": "sms", "address": "+8613900002222", "extra": 1}, "extra", ""),
    ],
)
async def test_a_bad_staff_contact_is_refused_with_its_reason(
    notify: InProcess, body: dict, field: str, reason: str
) -> None:
    union_id = uuid.uuid4()
    answer = await notify.http.post(
        f"/unions/{union_id}/staff-contacts", json=body, headers=bearer("union_staff", union_id=union_id)
    )
    assert answer.status_code == 422, answer.text
    (refusal,) = answer.json()["reasons"]
    assert refusal["field"].endswith(field) and reason in refusal["reason"], refusal


async def test_a_staff_contact_needs_an_idempotency_key_and_a_retry_registers_it_once(notify: InProcess) -> None:
    union_id = uuid.uuid4()
    url, body = f"/unions/{union_id}/staff-contacts", {"display_name": "赵", "kind": "sms", "address": "13800001234"}
    headers = bearer("union_staff", union_id=union_id)
    no_key = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
    assert (await notify.http.post(url, json=body, headers=no_key)).status_code == 422
    first = await notify.http.post(url, json=body, headers=headers)
    again = await notify.http.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    renamed = await notify.http.post(url, json={**body, "display_name": "赵老师"}, headers=bearer("admin"))
    assert renamed.json()["contact_id"] == first.json()["contact_id"], "the same address is one contact"
    listed = await notify.http.get(url, headers=headers)
    assert [c["display_name"] for c in listed.json()["contacts"]] == ["赵老师"]
    audited = await notify.runtime.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'POST /{scope}/{scope_id}/staff-contacts' "
        "AND target->>'scope_id' = $1",
        str(union_id),
    )
    assert audited >= 2, "every registration is audited"
    contact = f"{url}/{first.json()['contact_id']}"
    assert (await notify.http.delete(contact, headers=bearer("union_staff", union_id=uuid.uuid4()))).status_code == 403
    assert (await notify.http.delete(contact, headers=headers)).json() == {
        "contact_id": first.json()["contact_id"],
        "removed": True,
    }
    assert (await notify.http.get(url, headers=headers)).json()["contacts"] == []


async def test_a_stranger_cannot_name_the_contacts_of_a_union_or_site_not_theirs(notify: InProcess) -> None:
    union_id, body = uuid.uuid4(), {"display_name": "冒名者", "kind": "sms", "address": "13800009999"}
    strangers = [
        bearer("union_staff", union_id=uuid.uuid4()),
        bearer("parent", union_id=union_id, member_id=uuid.uuid4()),
        bearer("provider_staff", provider_id=uuid.uuid4()),
    ]
    for stranger in strangers:
        answer = await notify.http.post(f"/unions/{union_id}/staff-contacts", json=body, headers=stranger)
        assert answer.status_code == 403, answer.text
        assert answer.json()["reasons"][0]["reason"] == "only the union's own staff name its contacts"
        assert (await notify.http.get(f"/unions/{union_id}/staff-contacts", headers=stranger)).status_code == 403

    site = await a_site_with_its_lead(notify, a_phone())
    for stranger in strangers:
        answer = await notify.http.post(f"/sites/{site.site_id}/staff-contacts", json=body, headers=stranger)
        assert answer.status_code == 403, answer.text
    above = bearer("union_staff", union_id=site.union_path[0])
    assert (
        await notify.http.post(f"/sites/{site.site_id}/staff-contacts", json=body, headers=above)
    ).status_code == 201
    unheard = await notify.http.post(f"/sites/{uuid.uuid4()}/staff-contacts", json=body, headers=above)
    assert unheard.status_code == 404 and unheard.json()["reasons"][0]["field"] == "site_id"
    assert await sent_to(notify, "13800009999") == [], "a stranger's contact is told nothing"
