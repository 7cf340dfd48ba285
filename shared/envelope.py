"""The event envelope every Tuoguan event travels in, and the base class of typed event data.

On the wire an event is the JSON of :class:`Envelope`. The Kafka record key is the envelope's
``key`` (the child id for child events), so one child's events stay in order in one partition.
The headers repeat ``event_id``, ``type`` and ``schema_version`` so tools can route without parsing.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model


class Event(BaseModel):
    """Typed data of one event type. Subclasses set ``TYPE``, ``STREAM`` and ``VERSION``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    STREAM: ClassVar[str]
    VERSION: ClassVar[int] = 1
    REGISTRY: ClassVar[dict[str, type[Event]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TYPE" in cls.__dict__:
            if cls.TYPE in Event.REGISTRY:
                raise TypeError(f"event type {cls.TYPE!r} declared twice")
            Event.REGISTRY[cls.TYPE] = cls

    def partition_key(self) -> str:
        """The key that orders this event: the child for child events, else the aggregate id."""
        raise NotImplementedError


class Envelope(BaseModel):
    """Metadata around one event's data; what is serialised to Kafka."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    type: str = Field(min_length=1)
    schema_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str
    key: str = Field(min_length=1)
    union_id: uuid.UUID | None
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        producer: str,
        union_id: uuid.UUID | None,
        correlation_id: uuid.UUID,
        causation_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """``occurred_at`` defaults to now; partner feeds pass a coarsened time (shared/partners.py)."""
        return cls(
            event_id=uuid.uuid4(),
            type=event.TYPE,
            schema_version=event.VERSION,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            key=event.partition_key(),
            union_id=union_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            data=event.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    def headers(self) -> list[tuple[str, bytes]]:
        return [
            ("event_id", str(self.event_id).encode()),
            ("type", self.type.encode()),
            ("schema_version", str(self.schema_version).encode()),
            ("correlation_id", str(self.correlation_id).encode()),
        ]

    def payload(self) -> Event:
        """The typed data; raises ``UnknownEventType`` or pydantic's ``ValidationError``."""
        model = Event.REGISTRY.get(self.type)
        if model is None:
            raise UnknownEventType(self.type)
        if self.schema_version > model.VERSION:
            raise UnknownEventType(f"{self.type} v{self.schema_version}")
        return model.model_validate(self.data)

    @classmethod
    def parse_typed(cls, raw: bytes, event_type: str | None) -> tuple[Envelope, Event]:
        """Envelope and typed data from the wire in one pass, when ``event_type`` (the record's
        ``type`` header) names a known type; otherwise in two. Raises as :meth:`payload` does,
        and ``ValueError`` when the header and the body disagree."""
        typed = _typed_envelope(event_type) if event_type else None
        if typed is None:
            envelope = cls.model_validate_json(raw)
            return envelope, envelope.payload()
        parsed = typed.model_validate_json(raw)
        if parsed.type != event_type:
            raise ValueError(f"the type header says {event_type!r} but the event is {parsed.type!r}")
        data = cast(Event, parsed.data)  # the typed envelope's ``data`` is the event's model, not a dict
        if parsed.schema_version > data.VERSION:
            raise UnknownEventType(f"{parsed.type} v{parsed.schema_version}")
        return parsed, data


@functools.cache
def _typed_envelope(event_type: str) -> type[Envelope] | None:
    """An envelope whose ``data`` is validated straight into the event's model."""
    model = Event.REGISTRY.get(event_type)
    if model is None:
        return None
    return create_model(f"{model.__name__}Envelope", __base__=Envelope, data=(model, ...))


class UnknownEventType(LookupError):
    """An envelope names an event type (or version) this code does not know."""
