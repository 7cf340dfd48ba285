"""OpenTelemetry tracing: HTTP request -> outbox -> Kafka -> each consumer -> notify's delivery.

The W3C ``traceparent`` of the work that emits an event is stored with its outbox row (column
``outbox.traceparent``); the relay sends it as the record's ``traceparent`` header; a consumer
starts one span per handled event under it, and that span's context goes with the event's
follow-ups. Notify keeps it with each notification, so the delivery span joins the trace too.

Spans are recorded and exported over OTLP/HTTP only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set
(the SDK's own variables apply: ``OTEL_BSP_SCHEDULE_DELAY``, ``OTEL_EXPORTER_OTLP_HEADERS``...).
Without it no span is made and no SDK is loaded, but an incoming ``traceparent`` (HTTP header or
record header) is still passed on unchanged to the events the work emits, so a trace started
upstream is not cut by a service that does not record: one header look-up per request or event.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags

log = logging.getLogger(__name__)

HEADER = "traceparent"
ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"


class _State:
    enabled = False
    provider: Any = None  # the SDK's TracerProvider, when enabled


def enabled() -> bool:
    return _State.enabled


def configure(service: str, instance_id: str) -> None:
    """Record and export spans when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; once per process."""
    if _State.enabled or not os.environ.get(ENDPOINT_VARIABLE):
        return
    # Imported here: a service that does not export never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": service, "service.instance.id": instance_id})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _State.provider, _State.enabled = provider, True
    log.info("tracing exported over OTLP", extra={"endpoint": os.environ[ENDPOINT_VARIABLE]})


def shutdown() -> None:
    """Export the spans still buffered (at the service's shutdown)."""
    if _State.provider is not None:
        _State.provider.force_flush(5_000)


def tracer() -> trace.Tracer:
    return trace.get_tracer("tuoguan")


def format_traceparent(span_context: SpanContext) -> str:
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


def parse_traceparent(value: str | None) -> SpanContext | None:
    """The remote span context a ``traceparent`` names; None when absent or malformed."""
    if not value:
        return None
    parts = value.strip().split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        trace_id, span_id, flags = int(parts[1], 16), int(parts[2], 16), int(parts[3][:2], 16)
    except ValueError:
        return None
    if not trace_id or not span_id:
        return None
    return SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags))


def parent_context(traceparent: str | None) -> context.Context | None:
    remote = parse_traceparent(traceparent)
    return trace.set_span_in_context(NonRecordingSpan(remote)) if remote else None


def current_traceparent() -> str | None:
    """The ``traceparent`` of the span current in this task (recording or passed on), if any."""
    span_context = trace.get_current_span().get_span_context()
    return format_traceparent(span_context) if span_context.is_valid else None


def of_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> str | None:
    """The ``traceparent`` among a Kafka record's headers."""
    for key, value in headers or ():
        if key == HEADER and value is not None:
            return value.decode(errors="replace")
    return None


@contextlib.contextmanager
def span(
    name: str, *, traceparent: str | None = None, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any
) -> Iterator[Span]:
    """A span under ``traceparent`` (or the current span), made current. Not enabled: no span, the
    ``traceparent`` made current to be passed on. An exception escaping the block marks the span failed."""
    if not _State.enabled:
        parent = parent_context(traceparent)
        token = context.attach(parent) if parent is not None else None
        try:
            yield trace.INVALID_SPAN
        finally:
            if token is not None:
                context.detach(token)
        return
    with tracer().start_as_current_span(name, context=parent_context(traceparent), kind=kind) as current:
        for key, value in attributes.items():
            current.set_attribute(key, value)
        yield current


class EventSpans:
    """One CONSUMER span per event handled in a batch's transaction, each under its record's
    ``traceparent``; they start with the transaction and end with its commit (or failure)."""

    def __init__(self, service: str, topic: str, partition: int) -> None:
        self.service, self.topic, self.partition = service, topic, partition
        self.spans: list[Span] = []

    def start(self, event_type: str, event_id: object, offset: int, traceparent: str | None, batch: int) -> str | None:
        """Start the event's span; the ``traceparent`` its follow-ups carry. Without tracing: the
        record's own, passed on."""
        if not _State.enabled:
            return traceparent
        remote = parse_traceparent(traceparent)
        started = tracer().start_span(
            f"{event_type} process",
            context=trace.set_span_in_context(NonRecordingSpan(remote)) if remote else context.Context(),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": self.topic,
                "messaging.destination.partition.id": str(self.partition),
                "messaging.kafka.offset": offset,
                "messaging.message.id": str(event_id),
                "messaging.batch.message_count": batch,
                "tuoguan.service": self.service,
            },
        )
        self.spans.append(started)
        return format_traceparent(started.get_span_context())

    def end(self, error: BaseException | None = None) -> None:
        for started in self.spans:
            if error is not None:
                started.set_status(Status(StatusCode.ERROR, repr(error)[:200]))
            started.end()
        self.spans.clear()
