"""On the real broker: a partner's principal reads its own feed with its own group, and nothing else;
an insurer writes its answers on its own inbound topic, and nowhere else. The kcat checks use a
client this project did not write."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import confluent_kafka
import httpx
import pytest
from confluent_kafka import KafkaError

from deploy.kafka_access import PartnerAccess, provision_partners, revoke
from shared.contracts.partners import CoverConfirmed, CoverEnded, StatisticsCell
from shared.envelope import Envelope
from shared.kafka_auth import KafkaAccess
from testkit.city import SUMMER, City, token
from testkit.kafka import first_record, publish_envelopes, read_all
from testkit.scenarios import envelope
from tests.conftest import Stack
from tests.support.polling import eventually


@pytest.fixture(scope="module")
async def access(stack: Stack) -> AsyncIterator[dict[str, PartnerAccess]]:
    granted = await asyncio.to_thread(provision_partners, stack.kafka, stack.namespace, {})
    by_name = {a.partner.name: a for a in granted}
    for a in granted:  # something to read: a partner event of the feed, as the services publish them
        event = (
            CoverEnded(pseudonym=uuid.uuid4().hex, cover_id=uuid.uuid4().hex, days=(dt.date(2027, 7, 5),))
            if a.partner.feed == "insurance"
            else StatisticsCell(
                union_id=uuid.uuid4(),
                measure="attended",
                class_type="infant",
                period_start=dt.datetime(2027, 7, 5, tzinfo=dt.UTC),
                period_end=dt.datetime(2027, 7, 6, tzinfo=dt.UTC),
                suppressed=True,
            )
        )
        await publish_envelopes(stack.kafka, a.topic, [envelope(event)])
    yield by_name
    await asyncio.to_thread(revoke, stack.kafka, [a.user for a in granted])


def read_one(
    bootstrap: str, a: PartnerAccess, topic: str, group: str, password: str | None = None
) -> tuple[bytes | None, int | None]:
    """The first record, or the first error code, within 20 seconds."""
    return first_record(KafkaAccess(bootstrap, a.principal, password or a.password), topic, group)


async def test_a_partner_reads_its_own_feed(access: dict[str, PartnerAccess], stack: Stack) -> None:
    pingan = access["pingan"]
    value, error = await asyncio.to_thread(read_one, stack.kafka.bootstrap, pingan, pingan.topic, pingan.group)
    assert error is None and json.loads(value)["type"].startswith("partner.")


async def test_another_partners_feed_is_refused(access: dict[str, PartnerAccess], stack: Stack) -> None:
    pingan, taiping = access["pingan"], access["taiping"]
    _, error = await asyncio.to_thread(read_one, stack.kafka.bootstrap, pingan, taiping.topic, pingan.group)
    assert error == KafkaError.TOPIC_AUTHORIZATION_FAILED


async def test_another_consumer_group_is_refused(access: dict[str, PartnerAccess], stack: Stack) -> None:
    pingan = access["pingan"]
    _, error = await asyncio.to_thread(
        read_one, stack.kafka.bootstrap, pingan, pingan.topic, f"someone-else-{uuid.uuid4().hex[:6]}"
    )
    assert error == KafkaError.GROUP_AUTHORIZATION_FAILED


async def test_a_wrong_password_is_refused(access: dict[str, PartnerAccess], stack: Stack) -> None:
    pingan = access["pingan"]
    _, error = await asyncio.to_thread(
        read_one, stack.kafka.bootstrap, pingan, pingan.topic, pingan.group, "not-the-password"
    )
    assert error == KafkaError._AUTHENTICATION


@pytest.fixture(scope="module")
def kcat() -> Iterator[dict[str, str]]:
    """Debian's kcat, run with the librdkafka that confluent-kafka ships: Debian 12's librdkafka 2.0.2
    cannot do SCRAM against Kafka 4.x (fixed in 2.6.1, confluentinc/librdkafka#4895)."""
    if shutil.which("kcat") is None:
        pytest.fail("kcat is missing: deploy/bootstrap.sh installs Debian's kcat")
    bundled = next(
        Path(confluent_kafka.__file__).parent.parent.joinpath("confluent_kafka.libs").glob("librdkafka*.so*")
    )
    with tempfile.TemporaryDirectory() as libs:
        Path(libs, "librdkafka.so.1").symlink_to(bundled)
        yield {**os.environ, "LD_LIBRARY_PATH": libs}


def _kcat(bootstrap: str, env: dict[str, str], a: PartnerAccess, *args: str, value: bytes | None = None):
    """kcat authenticated as the partner (SCRAM over the plaintext listener, as partners connect here)."""
    return subprocess.run(
        [
            "kcat",
            "-b",
            bootstrap,
            "-X",
            "security.protocol=SASL_PLAINTEXT",
            "-X",
            "sasl.mechanisms=SCRAM-SHA-512",
            "-X",
            f"sasl.username={a.principal}",
            "-X",
            f"sasl.password={a.password}",
            *args,
        ],
        env=env,
        input=value,
        capture_output=True,
        timeout=60,
    )


def run_kcat(bootstrap: str, env: dict[str, str], a: PartnerAccess, topic: str) -> subprocess.CompletedProcess:
    done = _kcat(bootstrap, env, a, "-C", "-X", "auto.offset.reset=earliest", "-G", a.group, topic, "-c", "1", "-q")
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def kcat_publish(
    bootstrap: str, env: dict[str, str], a: PartnerAccess, topic: str, answer: Envelope
) -> subprocess.CompletedProcess:
    """The partner publishes one answer, the envelope's JSON on one line, keyed and typed as documented."""
    done = _kcat(
        bootstrap, env, a, "-P", "-t", topic, "-k", answer.key, "-H", f"type={answer.type}", value=answer.to_bytes()
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


async def test_kcat_as_the_partner_reads_its_feed_and_nothing_else(
    access: dict[str, PartnerAccess], stack: Stack, kcat
) -> None:
    taiping, pingan = access["taiping"], access["pingan"]
    allowed = await asyncio.to_thread(run_kcat, stack.kafka.bootstrap, kcat, taiping, taiping.topic)
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["type"].startswith("partner."), allowed.stderr
    refused = await asyncio.to_thread(run_kcat, stack.kafka.bootstrap, kcat, taiping, pingan.topic)
    assert refused.returncode != 0 and "authoriz" in refused.stderr.lower(), refused.stderr


async def test_kcat_as_an_insurer_confirms_a_cover_and_attendances_roster_shows_it(
    access: dict[str, PartnerAccess], stack: Stack, kcat, start_service
) -> None:
    """The whole loop: enrollment tells the insurer a cover is needed; the insurer, with a client we did not
    write, confirms it on its inbound topic; enrollment finds the child, attendance's roster shows the policy."""
    enrollment, attendance = start_service("enrollment"), start_service("attendance")
    await enrollment.wait_healthy()
    await attendance.wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=30) as http:
        city = City(http)
        union = await city.union("平安回执工会")
        network = await city.network(union)
        class_id = await city.klass(network, days=SUMMER[:1])
        parent = city.parent(union)
        child = await city.child(parent)
        await city.book(parent, child["child_id"], class_id, days=SUMMER[:1])

    async def cover_told() -> list[str]:
        records = [json.loads(r.value) for r in await read_all(stack.kafka, access["pingan"].topic)]
        return [
            r["data"]["cover_id"]
            for r in records
            if r["type"] == "partner.cover_needed" and r["data"]["union_id"] == str(union.union_id)
        ]

    (cover_id,) = await eventually(cover_told)
    pingan = access["pingan"]
    assert pingan.inbound is not None
    confirmation = Envelope.wrap(
        CoverConfirmed(cover_id=cover_id, policy_number="PA-2027-0042"),
        producer="pingan",
        union_id=None,
        correlation_id=uuid.uuid4(),
    )
    sent = await asyncio.to_thread(kcat_publish, stack.kafka.bootstrap, kcat, pingan, pingan.inbound, confirmation)
    assert sent.returncode == 0, sent.stderr

    staff = token("provider_staff", provider_id=network.provider_id)
    async with httpx.AsyncClient(base_url=attendance.url, timeout=30) as http:

        async def covered() -> dict | None:
            roster = await http.get(
                f"/classes/{class_id}/roster/{SUMMER[0]}", headers={"Authorization": f"Bearer {staff}"}
            )
            rows = [c for c in roster.json().get("children", []) if c["child_id"] == child["child_id"]]
            return rows[0] if rows and rows[0]["cover"] == "confirmed" else None

        row = await eventually(covered)
    assert row["policy_number"] == "PA-2027-0042"


async def test_kcat_as_an_insurer_can_write_nothing_but_its_own_inbound_topic(
    access: dict[str, PartnerAccess], stack: Stack, kcat
) -> None:
    pingan, taiping = access["pingan"], access["taiping"]
    forged = Envelope.wrap(
        CoverConfirmed(cover_id=uuid.uuid4().hex, policy_number="PA-1"),
        producer="pingan",
        union_id=None,
        correlation_id=uuid.uuid4(),
    )
    for topic in (stack.topic("enrollment.events"), taiping.inbound, pingan.topic):
        assert topic is not None
        refused = await asyncio.to_thread(kcat_publish, stack.kafka.bootstrap, kcat, pingan, topic, forged)
        assert "topic authorization failed" in refused.stderr.lower(), (topic, refused.returncode, refused.stderr)
