"""Generate the event catalogue (docs/events.md) from the event models.

./tuoguan contracts      (with the AsyncAPI document and the compatibility baseline)
python -m shared.contracts.catalogue > docs/events.md
"""

from __future__ import annotations

import inspect
from typing import Any

import shared.contracts  # noqa: F401  (registers every event type)
from shared.envelope import Envelope, Event
from shared.topics import INBOUND, SUBSCRIPTIONS

HEADER = """# Event catalogue

Generated from `shared/contracts/` by `./tuoguan contracts`; do not edit by hand
(a test fails when this file and the code disagree).

Every event travels in the same envelope, serialised as JSON. The Kafka record key is the
envelope's `key`, so all events with one key (one child) stay in order on one partition.

"""


def _type_of(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        ref: str = schema["$ref"]
        return ref.rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type_of(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type_of(schema.get('items', {}), defs)}"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _fields(schema: dict[str, Any]) -> list[str]:
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    rows = ["| field | type | required |", "| --- | --- | --- |"]
    for name, prop in schema.get("properties", {}).items():
        rows.append(f"| `{name}` | {_type_of(prop, defs)} | {'yes' if name in required else 'no'} |")
    for def_name, definition in defs.items():
        rows.append(
            f"| *{def_name}* | "
            + ", ".join(f"`{n}`: {_type_of(p, defs)}" for n, p in definition.get("properties", {}).items())
            + " | |"
        )
    return rows


def render() -> str:
    lines = [HEADER, "## Envelope", "", *_fields(Envelope.model_json_schema()), ""]
    for stream in sorted({e.STREAM for e in Event.REGISTRY.values()}):
        consumers = sorted(s for s, streams in SUBSCRIPTIONS.items() if stream in streams)
        if stream == INBOUND:
            readers = (
                "Published by each insurer on its own `partner.<partner>.inbound`, which only it may write. "
                f"Consumed by: {', '.join(consumers)}."
            )
        elif stream.startswith("partner."):
            readers = (
                f"Published once per partner of the feed on `partner.<partner>.{stream.split('.', 1)[1]}`; "
                "each partner reads only its own topic."
            )
        else:
            readers = f"Consumed by: {', '.join(consumers) or 'nobody yet'}."
        lines += [f"## Stream `{stream}`", "", readers, ""]
        for type_name, model in sorted(Event.REGISTRY.items()):
            if stream != model.STREAM:
                continue
            lines += [
                f"### `{type_name}` (version {model.VERSION})",
                "",
                inspect.getdoc(model) or "",
                "",
                *_fields(model.model_json_schema()),
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
