"""Tracing: one booking is one trace, from enrollment's HTTP request through the outbox and Kafka
into attendance, subsidy and notify. The services export over OTLP/HTTP to a receiver in the test."""

from __future__ import annotations

import asyncio
import gzip
import secrets

import httpx
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from testkit.city import SUMMER, City
from testkit.funds import members_discount
from tests.support.polling import eventually

SERVICES = ("enrollment", "attendance", "subsidy", "notify")


async def test_one_booking_is_one_trace_through_all_four_services(start_service) -> None:
    spans: dict[str, set[tuple[str, str]]] = {}  # trace id -> {(service, span name)}

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.setdefault(span.trace_id.hex(), set()).add((attributes["service.name"], span.name))
        answer = ExportTraceServiceResponse().SerializeToString()
        return web.Response(body=answer, content_type="application/x-protobuf")

    receiver = web.Application()
    receiver.router.add_post("/v1/traces", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        otel = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}", "OTEL_BSP_SCHEDULE_DELAY": "200"}
        services = {name: start_service(name, **otel) for name in SERVICES}
        await asyncio.gather(*(s.wait_healthy() for s in services.values()))
        async with httpx.AsyncClient(base_url=services["enrollment"].url, timeout=10) as http:
            city = City(http)
            union = await city.union("武钢工会")
            network = await city.network(union, satellites=1)
            class_id = await city.klass(network, days=SUMMER[:2], site_id=network.satellite_ids[0])
            await members_discount(services["subsidy"].url, union.staff, percent_bp=1500)
            parent = city.parent(union)
            child = await city.child(parent, guardians=1)
            trace_id = secrets.token_hex(16)
            http.headers["traceparent"] = f"00-{trace_id}-{secrets.token_hex(8)}-01"  # only the booking's
            await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])

        # The request, the two consumers of its event, and notify telling of subsidy's follow-up.
        chain = {
            ("enrollment", "POST /bookings"),
            ("attendance", "child.enrolled process"),
            ("subsidy", "child.enrolled process"),
            ("notify", "subsidy.approved process"),
        }

        async def whole_chain() -> bool:
            return chain <= spans.get(trace_id, set())

        await eventually(whole_chain)
    finally:
        await runner.cleanup()
