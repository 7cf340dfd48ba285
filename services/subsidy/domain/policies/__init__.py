"""The kinds of subsidy policy: one module per kind, each defining ``KIND`` (a :class:`PolicyKind`).

Adding a kind is one module here plus a migration that lets ``policies.kind`` hold its name;
tests/unit/test_policy_kinds.py and tests/subsidy/test_policy_kinds.py fail while either is missing.
"""

from __future__ import annotations

import importlib
import pkgutil

from services.subsidy.domain.policies.base import PolicyKind

PLUMBING = {"base"}


def _discover() -> dict[str, PolicyKind]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name in PLUMBING:
            continue
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if not isinstance(kind, PolicyKind) or kind.name != module.name:
            raise TypeError(f"{__name__}.{module.name} must define KIND = PolicyKind({module.name!r}, ...)")
        found.append(kind)
    return {kind.name: kind for kind in sorted(found, key=lambda kind: kind.order)}


KINDS: dict[str, PolicyKind] = _discover()
ORDER = tuple(KINDS)  # the order in which kinds pay

__all__ = ["KINDS", "ORDER", "PolicyKind"]
