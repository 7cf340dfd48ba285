"""Generate the AsyncAPI document (docs/asyncapi.json) for every internal and partner topic.

    ./tuoguan contracts      (with the event catalogue and the compatibility baseline)
    python -m shared.contracts.asyncapi > docs/asyncapi.json

Channels are the topics (partner feeds are parameterised by partner); each message is an event
type: the envelope with that type's data. Operations say which service sends and which receive.
"""

from __future__ import annotations

import json
from typing import Any

import shared.contracts  # noqa: F401  (registers every event type)
from shared.envelope import Envelope, Event
from shared.settings import DEFAULT_KAFKA
from shared.topics import INBOUND, STREAMS, SUBSCRIPTIONS

REF = "#/components/schemas/{model}"


def _message(model: type[Event], schemas: dict[str, Any]) -> dict[str, Any]:
    data = model.model_json_schema(ref_template=REF)
    schemas.update(data.pop("$defs", {}))
    name = model.__name__
    schemas[name] = data
    envelope = Envelope.model_json_schema(ref_template=REF)
    envelope["properties"] = {
        **envelope["properties"],
        "type": {"const": model.TYPE},
        "schema_version": {"const": model.VERSION},
        "data": {"$ref": REF.format(model=name)},
    }
    return {
        "name": model.TYPE,
        "title": name,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "properties": {
                "event_id": {"type": "string", "format": "uuid"},
                "type": {"const": model.TYPE},
                "schema_version": {"type": "string"},
                "correlation_id": {"type": "string", "format": "uuid"},
            },
        },
        "payload": envelope,
        "bindings": {
            "kafka": {"key": {"type": "string", "description": "the child (or aggregate) the event is about"}}
        },
    }


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages = {m.TYPE: _message(m, schemas) for _, m in sorted(Event.REGISTRY.items())}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for stream in sorted({m.STREAM for m in Event.REGISTRY.values()}):
        own = {
            t: {"$ref": f"#/components/messages/{t.replace('.', '_')}"}
            for t, m in sorted(Event.REGISTRY.items())
            if stream == m.STREAM
        }
        partner = stream.startswith("partner.")
        channel_id = stream.replace(".", "_")
        channels[channel_id] = {
            "address": f"partner.{{partner}}.{stream.split('.', 1)[1]}" if partner else stream,
            "messages": {t.replace(".", "_"): ref for t, ref in own.items()},
            **(
                {"parameters": {"partner": {"description": "the partner's name, as in TUOGUAN_PARTNERS"}}}
                if partner
                else {}
            ),
            "description": (
                "One topic per insurer; only that insurer writes it."
                if stream == INBOUND
                else "One topic per partner; each partner reads only its own."
                if partner
                else f"Published by {stream.split('.')[0]}; partitions: {STREAMS[stream].partitions}."
            ),
        }
        producer = "enrollment, attendance and subsidy" if partner else stream.split(".")[0]
        operations[f"{channel_id}_send"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": "each insurer publishes its answers on its own topic"
            if stream == INBOUND
            else f"{producer} publish through their outbox",
        }
        for service, streams in sorted(SUBSCRIPTIONS.items()):
            if stream in streams:
                operations[f"{channel_id}_receive_{service}"] = {
                    "action": "receive",
                    "channel": {"$ref": f"#/channels/{channel_id}"},
                    "summary": f"{service} consumes in consumer group '{service}'",
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Tuoguan events",
            "version": "0.1.0",
            "description": "Every event Tuoguan's services exchange on Kafka, and the partner feeds. "
            "Generated from shared/contracts; see docs/events.md and docs/partners.md.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": DEFAULT_KAFKA,
                "protocol": "kafka",
                "description": "the broker ./tuoguan up starts; every client authenticates "
                "(SASL_SSL on the TLS listener in production)",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {t.replace(".", "_"): m for t, m in messages.items()},
            "schemas": schemas,
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "one principal per service and partner; ACLs allow each only its part "
                    "(deploy/kafka_access.py)",
                }
            },
        },
    }


if __name__ == "__main__":
    print(json.dumps(document(), indent=1, ensure_ascii=False, sort_keys=True))
