"""The compatibility gate: a change may add to an event's schema, never break it.

``docs/contracts/baseline.json`` records, for every event type and version that has shipped, each
field's schema and whether it is required. Compared with the code:

- a field that was there is gone or renamed            -> breaking
- a field's type (its JSON schema) changed             -> breaking
- a new field is required (old events do not have it) -> breaking
- a new optional field, a new event type or version    -> fine; ``--accept`` records it

A breaking change needs a new version of the event type (``VERSION = 2``), whose baseline is then
recorded beside the old one.

    python -m shared.contracts.compat            # check; exit 1 and list what breaks
    python -m shared.contracts.compat --accept   # record additive changes (refused if anything breaks)
    ./tuoguan contracts                          # the same, and regenerate docs/events.md and docs/asyncapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import shared.contracts  # noqa: F401  (registers every event type)
from shared.envelope import Envelope, Event

BASELINE = Path(__file__).resolve().parents[2] / "docs/contracts/baseline.json"
DOC_KEYS = {"title", "description", "examples"}


def _strip(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip(v) for k, v in sorted(schema.items()) if k not in DOC_KEYS}
    if isinstance(schema, list):
        return [_strip(v) for v in schema]
    return schema


def fields_of(model: type[BaseModel]) -> dict[str, Any]:
    """``{field: {"required": bool, "schema": ...}}`` with nested models inlined by name."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    defs = {name: _strip(d) for name, d in schema.get("$defs", {}).items()}
    found = {}
    for name, prop in schema.get("properties", {}).items():
        found[name] = {"required": name in required, "schema": _strip(prop)}
    if defs:
        found["$defs"] = {"required": False, "schema": defs}
    return found


def current() -> dict[str, Any]:
    contracts = {f"{t}@v{m.VERSION}": fields_of(m) for t, m in sorted(Event.REGISTRY.items())}
    return {"envelope": fields_of(Envelope), **contracts}


def breaking(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems = []
    for contract, fields in old.items():
        if contract not in new:
            event_type = contract.split("@")[0]
            if not any(c.startswith(f"{event_type}@") for c in new):
                problems.append(f"{contract}: the event type is gone")
            continue  # a newer version replaced it: a breaking change done the right way
        for name, was in fields.items():
            now = new[contract].get(name)
            if now is None:
                problems.append(f"{contract}: field {name!r} was removed or renamed")
            elif name != "$defs" and now["schema"] != was["schema"]:
                problems.append(f"{contract}: field {name!r} changed type")
            elif name == "$defs":
                for nested, shape in was["schema"].items():
                    if now["schema"].get(nested) != shape:
                        problems.append(f"{contract}: nested model {nested!r} changed")
        for name, now in new[contract].items():
            if name not in fields and now["required"]:
                problems.append(f"{contract}: new field {name!r} is required; old events do not have it")
    return problems


def accept(*, record: bool = True) -> list[str]:
    """What breaks the baseline; when nothing does and ``record``, the code's contracts are recorded in it."""
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    new = current()
    problems = breaking(old, new)
    if record and not problems:
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        BASELINE.write_text(json.dumps({**old, **new}, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"recorded {len(new)} contracts in {BASELINE}")
    return problems


def main() -> int:
    problems = accept(record="--accept" in sys.argv)
    for problem in problems:
        print(f"breaking: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
