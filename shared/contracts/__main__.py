"""Regenerate every document made from the event contracts: ``./tuoguan contracts``.

Writes the event catalogue (docs/events.md), the AsyncAPI document (docs/asyncapi.json) and records
additive changes in the compatibility baseline (docs/contracts/baseline.json). A breaking change is
refused (exit 1, nothing recorded in the baseline): it needs a new version of the event type.
"""

from __future__ import annotations

import json
import sys

from shared.contracts.asyncapi import document
from shared.contracts.catalogue import render
from shared.contracts.compat import BASELINE, accept

DOCS = BASELINE.parents[1]
CATALOGUE = DOCS / "events.md"
ASYNCAPI = DOCS / "asyncapi.json"


def main() -> int:
    CATALOGUE.write_text(render())
    ASYNCAPI.write_text(json.dumps(document(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {CATALOGUE} and {ASYNCAPI}")
    problems = accept()
    for problem in problems:
        print(f"breaking: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
