"""On the real broker: every Kafka client is somebody, and each service may do only its part.

An attacker who reaches the broker without credentials learns nothing and changes nothing. A
service's principal writes only its own stream and dead letters and reads only what it subscribes
to, with its own group, so a compromised service cannot forge another service's facts: the
broker refuses them, they never reach a topic for anyone to ignore.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAuthorizationFailedError
from confluent_kafka import KafkaError as RdKafkaError
from confluent_kafka.admin import AdminClient, ConfigResource

from shared.kafka_auth import KafkaAccess
from testkit.kafka import first_record, publish_envelopes, read_all, wait_caught_up
from testkit.scenarios import child_registered, envelope
from tests.conftest import Stack


async def send_as(kafka: KafkaAccess, topic: str, value: bytes, key: bytes) -> None:
    producer = AIOKafkaProducer(**kafka.aiokafka(), enable_idempotence=True, request_timeout_ms=10_000)
    await producer.start()
    try:
        await asyncio.wait_for(await producer.send(topic, value=value, key=key), 30)
    finally:
        await producer.stop()


async def test_a_service_writes_its_own_stream(stack: Stack) -> None:
    key = uuid.uuid4().hex.encode()
    await send_as(stack.kafka_as("enrollment"), stack.topic("enrollment.events"), b"{}", key)
    assert [r for r in await read_all(stack.kafka, stack.topic("enrollment.events")) if r.key == key]


async def test_enrollment_cannot_write_to_attendances_stream(stack: Stack) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(stack.kafka_as("enrollment"), stack.topic("attendance.events"), b"{}", b"k")


async def test_a_forged_registration_is_refused_by_the_broker(stack: Stack) -> None:
    """Notify's principal, if stolen, cannot add a stranger as an authorised pick-up adult: the forged
    ``child.registered`` is refused at the broker and never lands in enrollment's stream."""
    forged = envelope(child_registered())
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(
            stack.kafka_as("notify"), stack.topic("enrollment.events"), forged.to_bytes(), forged.key.encode()
        )
    landed = [
        r
        for r in await read_all(stack.kafka, stack.topic("enrollment.events"))
        if str(forged.event_id).encode() in (r.value or b"")
    ]
    assert landed == []


async def test_a_service_reads_only_its_subscriptions_with_its_own_group(stack: Stack) -> None:
    await publish_envelopes(stack.kafka, stack.topic("subsidy.events"), [envelope(child_registered())])
    attendance = stack.kafka_as("attendance")
    _, error = await asyncio.to_thread(
        first_record, attendance, stack.topic("subsidy.events"), stack.group("attendance")
    )
    assert error == RdKafkaError.TOPIC_AUTHORIZATION_FAILED, "attendance does not subscribe to subsidy's stream"
    _, error = await asyncio.to_thread(
        first_record, attendance, stack.topic("enrollment.events"), stack.group("notify")
    )
    assert error == RdKafkaError.GROUP_AUTHORIZATION_FAILED, "notify's consumer group is notify's"


async def test_a_client_without_credentials_can_neither_read_nor_write(stack: Stack) -> None:
    anonymous = {"bootstrap_servers": stack.kafka.bootstrap, "request_timeout_ms": 5_000}
    producer = AIOKafkaProducer(**anonymous)
    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        await asyncio.wait_for(producer.start(), 30)
    await producer.stop()
    consumer = AIOKafkaConsumer(stack.topic("enrollment.events"), **anonymous, group_id="anyone")
    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        await asyncio.wait_for(consumer.start(), 30)
    await consumer.stop()


async def test_a_wrong_password_is_refused(stack: Stack) -> None:
    impostor = stack.kafka_as("enrollment").as_user(stack.kafka_users["enrollment"].principal, "x" * 32)
    with pytest.raises((KafkaError, asyncio.TimeoutError)):
        await send_as(impostor, stack.topic("enrollment.events"), b"{}", b"k")


async def test_every_listener_authenticates_and_acls_are_enforced(stack: Stack) -> None:
    """No listener lets a client in as ANONYMOUS (the broker hides ``super.users`` and
    ``allow.everyone.if.no.acl.found`` as sensitive; the refusals above show both at work)."""

    def broker_config() -> dict[str, str | None]:
        client = AdminClient(stack.kafka.confluent())  # kept alive until the answer is in
        (future,) = client.describe_configs([ConfigResource(ConfigResource.Type.BROKER, "1")]).values()
        return {name: entry.value for name, entry in future.result(timeout=30).items()}

    configs = await asyncio.to_thread(broker_config)
    assert configs["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    protocols = {entry.split(":")[1] for entry in configs["listener.security.protocol.map"].split(",")}
    assert protocols <= {"SASL_PLAINTEXT", "SASL_SSL"}, protocols


async def test_the_tls_listener_speaks_only_to_clients_that_trust_the_ca(stack: Stack) -> None:
    tls = stack.endpoints.kafka_tls
    if tls is None:
        pytest.skip("this broker offers no SASL_SSL listener (KAFKA_TLS_BOOTSTRAP_SERVERS unset)")
    key = uuid.uuid4().hex.encode()
    user = stack.kafka_users["enrollment"]
    await send_as(tls.as_user(user.principal, user.password), stack.topic("enrollment.events"), b"{}", key)
    assert [r for r in await read_all(stack.kafka, stack.topic("enrollment.events")) if r.key == key]
    untrusting = {**tls.aiokafka(), "ssl_context": ssl.create_default_context(), "request_timeout_ms": 5_000}
    producer = AIOKafkaProducer(**untrusting)
    with pytest.raises((KafkaConnectionError, KafkaError, ssl.SSLError, asyncio.TimeoutError)):
        await asyncio.wait_for(producer.start(), 30)
    await producer.stop()


async def test_a_service_runs_over_tls(stack: Stack, start_service) -> None:
    """What production does: the service speaks SASL_SSL and verifies the broker's certificate."""
    tls = stack.endpoints.kafka_tls
    if tls is None:
        pytest.skip("this broker offers no SASL_SSL listener (KAFKA_TLS_BOOTSTRAP_SERVERS unset)")
    await start_service(
        "attendance",
        KAFKA_BOOTSTRAP_SERVERS=tls.bootstrap,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SSL_CAFILE=tls.cafile or "",
    ).wait_healthy()
    registered = child_registered()
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [envelope(registered)])
    await wait_caught_up(stack.kafka, stack.group("attendance"), stack.topic("enrollment.events"))
