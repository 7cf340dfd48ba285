"""An accident at a site: site staff report it, the guardians are alerted at once (in-process notify,
even in their quiet hours), each insurer gets a claim notice with no name and no child id, and union
staff read the incidents of their subtree."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.notify.domain.planning import Preferences, plan
from shared.contracts.attendance import IncidentReported
from shared.envelope import Envelope
from shared.partners import cover_id, pseudonym
from shared.topics import Partner
from testkit.city import token
from testkit.processes import free_port
from testkit.scenarios import envelope
from tests.attendance.conftest import SiteDay, today
from tests.conftest import Stack, _fast_retries
from tests.notify.conftest import GATEWAY_SECRET
from tests.support.inprocess import InProcess, in_process
from tests.test_partner_feeds import PERSONAL

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
async def notify(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[InProcess]:
    hosts: Path = tmp_path_factory.mktemp("dns") / "hosts"
    hosts.write_text("")
    env = {
        **_fast_retries(),
        "NOTIFY_GATEWAY_SECRET": GATEWAY_SECRET,
        "NOTIFY_SMTP_PORT": str(free_port()),
        "NOTIFY_WEBHOOK_HOSTS_FILE": str(hosts),
        "NOTIFY_TIMER_INTERVAL_S": "3600",
    }
    async with in_process(stack, "notify", **env) as service:
        yield service


def incident(site: SiteDay, child_id: uuid.UUID, **fields: object) -> dict:
    return {
        "child_id": str(child_id),
        "site_id": str(site.site_id),
        "at": (NOW - dt.timedelta(minutes=5)).isoformat(),
        "kind": "injury",
        "what_happened": "小红在滑梯上摔倒，膝盖擦伤",
        "first_aid": "清洗伤口，贴创可贴",
        "guardians_told_by": "电话告知母亲",
        "follow_up": "明日复查伤口",
        **fields,
    }


async def test_an_incident_reaches_the_guardians_at_once_as_a_safety_alert(
    site: SiteDay, attendance: InProcess, notify: InProcess
) -> None:
    registered = await site.book_child()
    answer = await site.post("/incidents", incident(site, registered.child_id))
    assert answer.status_code == 201, answer.text
    assert answer.json()["guardians_alerted"] is True

    (reported,) = [
        Envelope.model_validate(e)
        for e in await attendance.envelopes("incident.reported")
        if e["data"]["incident_id"] == answer.json()["incident_id"]
    ]
    assert reported.payload().model_dump(include={"kind", "first_aid_given", "follow_up_needed"}) == {
        "kind": "injury",
        "first_aid_given": True,
        "follow_up_needed": True,
    }
    assert "膝盖" not in reported.to_bytes().decode(), "what happened stays in attendance"
    await notify.deliver(envelope(registered), reported)
    await notify.deliver(reported)  # redelivered: told once
    told = await notify.runtime.pool.fetch(
        "SELECT guardian_id, body, safety, due_at FROM notifications WHERE child_id = $1 AND source_type = $2",
        registered.child_id,
        "incident.reported",
    )
    assert sorted(t["guardian_id"] for t in told) == sorted(g.guardian_id for g in registered.guardians)
    for t in told:
        assert t["safety"] and t["due_at"] <= dt.datetime.now(dt.UTC)
        assert t["body"].startswith("安全提醒：小红") and "受伤" in t["body"] and "已做急救处理" in t["body"]


def test_an_incident_alert_is_not_held_back_by_quiet_hours() -> None:
    event = IncidentReported(
        child_id=uuid.uuid4(),
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=today(),
        incident_id=uuid.uuid4(),
        at=NOW,
        kind="illness",
        first_aid_given=False,
        follow_up_needed=False,
    )
    asleep = Preferences(muted_kinds=("incident.reported",), quiet_start=dt.time(0, 0), quiet_end=dt.time(23, 59))
    (planned,) = plan(event, [{"kind": "sms", "address": "+8613800000000"}], asleep, NOW)
    assert planned.due_at == NOW


async def test_each_insurer_gets_a_claim_notice_with_no_name_and_no_child_id(
    site: SiteDay, attendance: InProcess
) -> None:
    registered = await site.book_child()
    answer = await site.post("/incidents", incident(site, registered.child_id, kind="allergic_reaction"))
    assert answer.status_code == 201, answer.text
    incident_id = uuid.UUID(answer.json()["incident_id"])
    rows = await attendance.runtime.pool.fetch(
        "SELECT topic, key, payload FROM outbox WHERE event_type = 'partner.claim_notice' ORDER BY id"
    )
    notices = {
        name: (r["key"], notice, r["payload"])
        for r in rows
        if (name := r["topic"].rsplit(".", 2)[-2])
        and (notice := Envelope.model_validate_json(r["payload"])).data["claim_id"]
        == pseudonym(Partner(name, "insurance"), incident_id)
    }
    assert notices.keys() == {"pingan", "taiping"}, "one notice per insurer, none for the statistics office"
    programme_id = site.bookings[registered.child_id].programme_id
    for name, (key, notice, raw) in notices.items():
        partner = Partner(name, "insurance")
        data = notice.model_dump(mode="json")["data"]
        assert data["pseudonym"] == key == pseudonym(partner, registered.child_id)
        assert data["cover_id"] == cover_id(partner, registered.child_id, programme_id), "the cover it was told of"
        assert data["incident_kind"] == "allergic_reaction" and data["first_aid_given"] is True
        assert not [field for field in data if PERSONAL.search(field)]
        for secret in (str(registered.child_id), registered.child_id.hex, "小红", "滑梯", "家长"):
            assert secret.encode() not in raw
        assert notice.causation_id is None
    assert notices["pingan"][1].data["pseudonym"] != notices["taiping"][1].data["pseudonym"]


async def test_an_incident_is_reported_by_the_sites_own_staff_about_a_child_booked_there(site: SiteDay) -> None:
    registered = await site.book_child()
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    above = token("union_staff", union_id=site.union_path[-1])
    assert (await site.post("/incidents", incident(site, registered.child_id), stranger)).status_code == 403
    assert (await site.post("/incidents", incident(site, registered.child_id), above)).status_code == 403
    elsewhere = await site.post("/incidents", incident(site, uuid.uuid4()))
    assert elsewhere.status_code == 409 and elsewhere.json()["reasons"][0]["field"] == "child_id"
    later = incident(site, registered.child_id, at=(NOW + dt.timedelta(hours=1)).isoformat())
    future = await site.post("/incidents", later)
    assert future.status_code == 422 and "future" in future.text
    for bad in ({"kind": "scratch"}, {"what_happened": ""}, {"at": "2026-07-05T09:00:00"}):
        assert (await site.post("/incidents", incident(site, registered.child_id, **bad))).status_code == 422, bad


async def test_a_retried_report_records_one_incident_and_both_are_audited(site: SiteDay, attendance: InProcess) -> None:
    registered = await site.book_child()
    headers = {"Authorization": f"Bearer {site.staff}", "Idempotency-Key": f"incident-{uuid.uuid4()}"}
    body = incident(site, registered.child_id)
    first, again = [await site.http.post("/incidents", json=body, headers=headers) for _ in range(2)]
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len(await attendance.emitted("incident.reported", child_id=registered.child_id)) == 1
    audited = await attendance.runtime.pool.fetch(
        "SELECT action, actor_role, status_code FROM audit_log WHERE idempotency_key = $1", headers["Idempotency-Key"]
    )
    assert [tuple(a) for a in audited] == [("POST /incidents", "provider_staff", 201)] * 2, "the report and its retry"


async def test_union_staff_see_the_incidents_of_their_subtree_only(site: SiteDay) -> None:
    city, district = uuid.uuid4(), uuid.uuid4()
    site.union_path = (city, district)
    registered = await site.book_child()
    assert (await site.post("/incidents", incident(site, registered.child_id))).status_code == 201
    span = f"since={today() - dt.timedelta(days=1)}&until={today()}"

    listed = await site.get(f"/unions/{district}/incidents?{span}", token("union_staff", union_id=city))
    assert listed.status_code == 200, listed.text
    (seen,) = listed.json()["incidents"]
    assert seen["child_id"] == str(registered.child_id) and seen["display_name"] == "小红"
    assert seen["what_happened"] == "小红在滑梯上摔倒，膝盖擦伤" and seen["follow_up"] == "明日复查伤口"
    own = await site.get(f"/unions/{district}/incidents?{span}", token("union_staff", union_id=district))
    assert own.json()["incidents"] == [seen]
    for outsider in (token("union_staff", union_id=uuid.uuid4()), site.staff):
        assert (await site.get(f"/unions/{district}/incidents?{span}", outsider)).status_code == 403
    assert (
        await site.get(f"/unions/{city}/incidents?{span}", token("union_staff", union_id=district))
    ).status_code == 403
    admin = await site.get(
        f"/unions/{district}/incidents?since={today()}&until={today() - dt.timedelta(days=2)}", token("admin")
    )
    assert admin.status_code == 422
