"""On the real broker: a partner's principal reads its own feed with its own group, and nothing else.
One check uses kcat, a client this project did not write."""

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
import pytest
from confluent_kafka import KafkaError

from deploy.kafka_access import PartnerAccess, provision_partners, revoke
from shared.contracts.partners import CoverEnded, StatisticsCell
from shared.kafka_auth import KafkaAccess
from testkit.kafka import first_record, publish_envelopes
from testkit.scenarios import envelope
from tests.conftest import Stack


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


def run_kcat(bootstrap: str, env: dict[str, str], a: PartnerAccess, topic: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "kcat",
            "-C",
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
            "-X",
            "auto.offset.reset=earliest",
            "-G",
            a.group,
            topic,
            "-c",
            "1",
            "-q",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_kcat_as_the_partner_reads_its_feed_and_nothing_else(
    access: dict[str, PartnerAccess], stack: Stack, kcat
) -> None:
    taiping, pingan = access["taiping"], access["pingan"]
    allowed = await asyncio.to_thread(run_kcat, stack.kafka.bootstrap, kcat, taiping, taiping.topic)
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["type"].startswith("partner."), allowed.stderr
    refused = await asyncio.to_thread(run_kcat, stack.kafka.bootstrap, kcat, taiping, pingan.topic)
    assert refused.returncode != 0 and "authoriz" in refused.stderr.lower(), refused.stderr
