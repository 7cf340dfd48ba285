"""The envelope and typed contracts, without I/O."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError

from shared.envelope import Envelope, UnknownEventType
from testkit.scenarios import child_enrolled, child_registered, envelope


def test_an_envelope_survives_the_wire_unchanged() -> None:
    event = child_registered(guardians=2)
    sent = envelope(event)
    received = Envelope.model_validate_json(sent.to_bytes())
    assert received == sent
    assert received.payload() == event
    assert received.key == str(event.child_id), "the child id keys the record, keeping its events in order"
    assert dict(sent.headers())["type"] == b"child.registered"


def test_occurred_at_is_timezone_aware_utc() -> None:
    sent = envelope(child_enrolled(child_id=uuid.uuid4()))
    assert sent.occurred_at.utcoffset().total_seconds() == 0


def test_an_envelope_without_its_event_id_is_refused() -> None:
    wire = json.loads(envelope(child_enrolled(child_id=uuid.uuid4())).to_bytes())
    del wire["event_id"]
    with pytest.raises(ValidationError, match="event_id"):
        Envelope.model_validate(wire)


def test_event_data_with_a_wrong_field_is_refused() -> None:
    wire = json.loads(envelope(child_enrolled(child_id=uuid.uuid4())).to_bytes())
    wire["data"]["fee_per_day_fen"] = -1
    with pytest.raises(ValidationError, match="fee_per_day_fen"):
        Envelope.model_validate(wire).payload()


def test_a_newer_schema_version_than_the_code_knows_is_not_guessed_at() -> None:
    wire = json.loads(envelope(child_enrolled(child_id=uuid.uuid4())).to_bytes())
    wire["schema_version"] = 2
    with pytest.raises(UnknownEventType):
        Envelope.model_validate(wire).payload()


def test_an_unknown_event_type_is_reported() -> None:
    wire = json.loads(envelope(child_enrolled(child_id=uuid.uuid4())).to_bytes())
    wire["type"] = "child.teleported"
    with pytest.raises(UnknownEventType):
        Envelope.model_validate(wire).payload()


def test_a_causation_chain_links_events() -> None:
    cause = envelope(child_enrolled(child_id=uuid.uuid4()))
    effect = Envelope.wrap(
        child_enrolled(child_id=uuid.uuid4()),
        producer="subsidy",
        union_id=None,
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
    )
    assert effect.causation_id == cause.event_id and effect.correlation_id == cause.correlation_id
    assert effect.event_id != cause.event_id
    assert isinstance(effect.event_id, uuid.UUID)
