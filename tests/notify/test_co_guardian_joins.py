"""A co-guardian who accepts is told from that moment on, even of events that reach notify before
the registration that names them (they travel on other topics and can overtake it)."""

from __future__ import annotations

import uuid

import httpx

from shared.contracts.enrollment import GuardianContact
from testkit.kafka import publish_envelopes, wait_caught_up
from testkit.scenarios import envelope
from tests.conftest import Stack
from tests.notify.conftest import INAPP, Family, checked_in
from tests.support.polling import eventually


async def test_a_co_guardian_is_told_of_what_overtook_their_acceptance(stack: Stack, client: httpx.AsyncClient) -> None:
    mother_only = await Family.register(stack, client, [INAPP])
    await wait_caught_up(stack.kafka, stack.group("notify"), stack.topic("enrollment.events"))
    father = GuardianContact(guardian_id=uuid.uuid4(), display_name="家长1", channels=(INAPP,))
    both = Family(
        stack,
        client,
        mother_only.registered.model_copy(update={"guardians": (*mother_only.registered.guardians, father)}),
    )
    accepted = envelope(both.registered)  # the father accepts now; enrollment publishes it ...

    await mother_only.tell(checked_in(mother_only))  # ... but the check-in reaches notify first
    (mothers,) = await eventually(lambda: mother_only.inbox(0))
    assert await both.inbox(1) == [], "notify has not heard of the father yet"

    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [accepted])
    (fathers,) = await eventually(lambda: both.inbox(1))
    assert fathers["body"] == mothers["body"] == "小红 08:12 已入园，晨检正常。"
    assert fathers["source_type"] == "child.checked_in"
    assert len(await mother_only.inbox(0)) == 1, "the mother is not told twice"
