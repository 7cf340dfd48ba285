"""notify in the test's process, on its own database and without Kafka: who may read and change a
guardian's inbox, preferences, addresses and webhooks, the checks on a webhook's URL, confirming an
address with its code, and what the event handlers make of events handed to them as notify's
consumer hands them over. What needs Kafka's order, real receivers or a live stream stays in the
whole-process modules beside this one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.notify.handlers.confirmation import send_confirmation_codes
from shared.contracts.attendance import ChildCheckedIn
from shared.contracts.enrollment import GuardianContact
from shared.sealed import unseal
from testkit.city import token
from testkit.processes import free_port
from testkit.scenarios import envelope
from tests.conftest import Stack, _fast_retries
from tests.notify.conftest import GATEWAY_SECRET, INAPP, Family, checked_in, refused
from tests.support.inprocess import InProcess, in_process
from tests.unit.test_money_messages import PAYMENT, REFUND, STATEMENT

WRONG_TRIES = 3


@pytest.fixture(scope="module")
async def notify(stack: Stack, hosts_file: Path) -> AsyncIterator[InProcess]:
    env = {
        **_fast_retries(),
        "NOTIFY_GATEWAY_SECRET": GATEWAY_SECRET,
        "NOTIFY_SMTP_PORT": str(free_port()),  # nobody listens: nothing here is mailed
        "NOTIFY_WEBHOOK_HOSTS_FILE": str(hosts_file),
        "NOTIFY_CONFIRMATION_MAX_WRONG_CODES": str(WRONG_TRIES),
        # Timers tick once at the start, then not again: the tests send confirmation codes themselves,
        # and nothing is sent to the webhook addresses registered here.
        "NOTIFY_TIMER_INTERVAL_S": "3600",
    }
    async with in_process(stack, "notify", **env) as service:
        yield service


def parent(guardian_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('parent', union_id=uuid.uuid4(), member_id=guardian_id)}"}


ADMIN = {"Authorization": f"Bearer {token('admin')}"}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://parent-app.example.com/hook", "must start with https://"),
        ("https://127.0.0.1:8443/hook", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://100.100.100.200/latest/meta-data/", "non-public"),
        ("https://parent:pw@parent-app.example.com/hook", "user name"),
    ],
)
async def test_a_parent_cannot_register_an_address_that_leads_inside(notify: InProcess, url: str, reason: str) -> None:
    guardian_id = uuid.uuid4()
    answer = await notify.http.post(
        f"/guardians/{guardian_id}/webhooks", json={"url": url}, headers=parent(guardian_id)
    )
    assert answer.status_code == 422
    (refusal,) = answer.json()["reasons"]
    assert refusal["field"] == "url" and reason in refusal["reason"]


@pytest.mark.parametrize("what", ["notifications", "deliveries", "preferences", "addresses", "webhooks"])
async def test_a_guardians_things_are_theirs_and_the_admins_alone(notify: InProcess, what: str) -> None:
    guardian_id = uuid.uuid4()
    url = f"/guardians/{guardian_id}/{what}"
    for reader in (parent(guardian_id), ADMIN):
        answer = await notify.http.get(url, headers=reader)
        assert answer.status_code == 200, answer.text
        assert answer.json()["guardian_id"] == str(guardian_id)
    stranger = await notify.http.get(url, headers=parent(uuid.uuid4()))
    assert stranger.status_code == 403
    assert stranger.json()["reasons"][0]["reason"] == "a guardian's notifications are theirs alone"


async def test_a_guardian_replaces_their_preferences_and_reads_them_back(notify: InProcess) -> None:
    guardian_id = uuid.uuid4()
    url = f"/guardians/{guardian_id}/preferences"
    defaults = await notify.http.get(url, headers=parent(guardian_id))
    assert defaults.json() == {
        "guardian_id": str(guardian_id),
        "muted_kinds": [],
        "channels": None,
        "quiet_start": None,
        "quiet_end": None,
        "language": "zh-CN",
    }
    wanted = {
        "muted_kinds": [ChildCheckedIn.TYPE],
        "channels": ["email"],
        "quiet_start": "21:00:00",
        "quiet_end": "07:00:00",
        "language": "en",
    }
    written = await notify.http.put(url, json=wanted, headers=parent(guardian_id))
    assert written.status_code == 200, written.text
    assert written.json() == {"guardian_id": str(guardian_id), **wanted}
    assert (await notify.http.get(url, headers=ADMIN)).json() == written.json()

    assert (await notify.http.put(url, json=wanted, headers=parent(uuid.uuid4()))).status_code == 403
    unknown = await notify.http.put(url, json={"muted_kinds": ["no.such_event"]}, headers=parent(guardian_id))
    assert unknown.status_code == 422 and "not event types: no.such_event" in unknown.text
    assert (await notify.http.get(url, headers=parent(guardian_id))).json()["language"] == "en", (
        "a refusal changes nothing"
    )


async def test_only_the_guardian_adds_a_webhook_endpoint(notify: InProcess) -> None:
    guardian_id = uuid.uuid4()
    url = f"/guardians/{guardian_id}/webhooks"
    body = {"url": "https://93.184.216.34/hook"}
    admin = await notify.http.post(url, json=body, headers=ADMIN)
    assert admin.status_code == 403
    assert admin.json()["reasons"][0]["reason"] == "only the guardian registers their webhook endpoints"
    assert (await notify.http.post(url, json=body, headers=parent(uuid.uuid4()))).status_code == 403


async def _the_code(service: InProcess, guardian_id: uuid.UUID) -> str:
    """The address's newest confirmation code, opened as the dispatcher would open it."""
    runtime = service.runtime
    await send_confirmation_codes(runtime.pool, runtime.settings, dt.datetime.now(dt.UTC))
    sealed = await runtime.pool.fetchval(
        "SELECT sealed_code FROM notifications WHERE guardian_id = $1 AND source_type = 'address.confirmation' "
        "ORDER BY created_at DESC LIMIT 1",
        guardian_id,
    )
    assert sealed is not None, "a code was sent"
    return unseal(runtime.settings.seal_private_key, sealed)


async def test_a_wrong_code_is_refused_and_after_the_last_try_only_a_new_code_confirms(
    notify: InProcess,
) -> None:
    http, guardian_id = notify.http, uuid.uuid4()
    registered = await http.post(
        f"/guardians/{guardian_id}/webhooks",
        json={"url": "https://93.184.216.34/hook"},
        headers=parent(guardian_id),
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["state"] == "unconfirmed"
    address_id = registered.json()["address_id"]
    code = await _the_code(notify, guardian_id)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    url = f"/guardians/{guardian_id}/addresses/{address_id}/confirmation"

    async def send(code: str) -> httpx.Response:
        return await http.post(url, json={"code": code}, headers=parent(guardian_id))

    for bearer in (ADMIN, parent(uuid.uuid4())):
        stranger = await http.post(url, json={"code": code}, headers=bearer)
        assert stranger.status_code == 403, "only the guardian confirms their address"
        assert stranger.json()["reasons"][0]["reason"] == "only the guardian confirms their own addresses"

    answers = [await send(wrong) for _ in range(WRONG_TRIES)]
    assert [a.status_code for a in answers] == [422] * WRONG_TRIES
    assert (
        answers[0].json()["reasons"][0]["reason"] == f"the code is wrong; {WRONG_TRIES - 1} more tries with this code"
    )
    assert "last try" in answers[-1].json()["reasons"][0]["reason"]
    capped = await send(code)
    assert capped.status_code == 429, "after the last wrong try even the right code is refused"
    listed = await http.get(f"/guardians/{guardian_id}/addresses", headers=parent(guardian_id))
    (address,) = listed.json()["addresses"]
    assert address["state"] == "unconfirmed"
    assert address["created_at"].endswith("+00:00"), "times are written as they always were"

    again = await http.post(f"/guardians/{guardian_id}/addresses/{address_id}/code", headers=parent(guardian_id))
    assert again.status_code == 202
    assert again.json() == {"address_id": address_id, "state": "unconfirmed", "note": "a new code is on its way"}
    new_code = await _the_code(notify, guardian_id)
    if new_code != code:
        assert (await send(code)).status_code == 422, "the old code is void"
    confirmed = await send(new_code)
    assert confirmed.status_code == 200 and confirmed.json() == {"address_id": address_id, "state": "confirmed"}


async def test_a_muted_kind_is_not_sent_but_a_safety_alert_is(stack: Stack, notify: InProcess) -> None:
    family = Family.unannounced(stack, notify.http, [INAPP])
    await notify.deliver(envelope(family.registered))
    muted = {"muted_kinds": ["child.checked_in", "checkin.refused"]}
    saved = await notify.http.put(
        f"/guardians/{family.guardian_id(0)}/preferences", json=muted, headers=parent(family.guardian_id(0))
    )
    assert saved.status_code == 200
    await notify.deliver(envelope(checked_in(family)), envelope(refused(family)))
    (alert,) = await family.inbox(0)
    assert alert["safety"] is True and "晨检未通过" in alert["body"], "the routine check-in message was muted"


async def test_a_co_guardian_is_told_of_what_overtook_their_acceptance(stack: Stack, notify: InProcess) -> None:
    """A co-guardian joins when they accept, and the registration that says so can reach notify after
    events that happened since (they travel on other topics): the newcomer is told of them."""
    mother_only = Family.unannounced(stack, notify.http, [INAPP])
    await notify.deliver(envelope(mother_only.registered))
    father = GuardianContact(guardian_id=uuid.uuid4(), display_name="家长1", channels=(INAPP,))
    both = Family(
        stack,
        notify.http,
        mother_only.registered.model_copy(update={"guardians": (*mother_only.registered.guardians, father)}),
    )
    accepted = envelope(both.registered)  # the father accepts now; enrollment publishes it ...

    await notify.deliver(envelope(checked_in(mother_only)))  # ... but the check-in reaches notify first
    (mothers,) = await mother_only.inbox(0)
    assert await both.inbox(1) == [], "notify has not heard of the father yet"

    await notify.deliver(accepted)
    (fathers,) = await both.inbox(1)
    assert fathers["body"] == mothers["body"] == "小红 08:12 已入园，晨检正常。"
    assert fathers["source_type"] == "child.checked_in"
    assert len(await mother_only.inbox(0)) == 1, "the mother is not told twice"
    (delivered,) = await notify.emitted("notification.delivered", notification_id=fathers["notification_id"])
    assert delivered["guardian_id"] == str(father.guardian_id) and delivered["channel"] == "inapp"


async def test_a_removed_webhook_endpoint_is_forgotten_with_its_address(notify: InProcess) -> None:
    guardian_id = uuid.uuid4()
    mine = parent(guardian_id)
    registered = await notify.http.post(
        f"/guardians/{guardian_id}/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=mine
    )
    assert registered.status_code == 201, registered.text
    webhook = f"/guardians/{guardian_id}/webhooks/{registered.json()['webhook_id']}"
    (listed,) = (await notify.http.get(f"/guardians/{guardian_id}/webhooks", headers=mine)).json()["webhooks"]
    assert listed["url"] == "https://93.184.216.34/hook" and "secret" not in listed

    assert (await notify.http.delete(webhook, headers=parent(uuid.uuid4()))).status_code == 403
    removed = await notify.http.delete(webhook, headers=mine)
    assert removed.status_code == 204 and removed.content == b""
    assert (await notify.http.get(f"/guardians/{guardian_id}/webhooks", headers=mine)).json()["webhooks"] == []
    assert (await notify.http.get(f"/guardians/{guardian_id}/addresses", headers=mine)).json()["addresses"] == []
    again = await notify.http.delete(webhook, headers=mine)
    assert again.status_code == 404 and again.json()["reasons"][0]["field"] == "webhook_id"


async def test_parents_are_told_of_their_statement_payments_and_refunds(stack: Stack, notify: InProcess) -> None:
    family = Family.unannounced(stack, notify.http, [INAPP])
    await notify.deliver(envelope(family.registered))
    theirs = {"child_id": family.registered.child_id}
    await notify.deliver(*(envelope(e.model_copy(update=theirs)) for e in (STATEMENT, PAYMENT, REFUND)))
    told = sorted((n["source_type"], n["body"]) for n in await family.inbox(0))
    assert told == [
        ("payment.received", "已收到 小红 的托管费 ¥100.00，尚需支付 ¥27.51。"),
        ("refund.issued", "小红 的托管费退款 ¥42.50 已退回。"),
        (
            "statement.issued",
            "小红 的托管费账单（第 3 版）：费用 ¥150.00，补贴 ¥22.49，家庭支付 ¥127.51，尚需支付 ¥27.51。",
        ),
    ]
