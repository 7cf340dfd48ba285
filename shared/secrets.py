"""The one rule for every secret a process reads: it must be given, long enough, and not known.

A service that finds a secret missing, short, or equal to a value that has ever been published (in
this repository's history, in documentation, or a placeholder such as ``change-me``) refuses to
start, and the error names the variable. There are no defaults: development installs get fresh
secrets from ``deploy/keys.py`` (``./tuoguan up`` runs it), tests get their own per run.
"""

from __future__ import annotations

import hashlib
import os

MIN_LENGTH = 32

# Values that were once defaults in this repository or are common placeholders. A secret equal to
# one of them is public, whatever its length. Kept as SHA-256 digests so that the list itself does
# not hand out the strings.
_KNOWN_SHA256 = frozenset(
    {
        hashlib.sha256(v.encode()).hexdigest()
        for v in (
            "tuoguan-dev-secret-change-me-in-production",
            "tuoguan-dev-webhook-secret",
            "tuoguan-dev-gateway-secret",
            "tuoguan-dev-pseudonym-key",
            "changeme",
            "change-me",
            "secret",
            "password",
            "test",
            "dev",
        )
    }
)


class SecretMissing(RuntimeError):
    """A required secret is absent or unusable; the message names the variable and why."""


def check(name: str, value: str | None, *, min_length: int = MIN_LENGTH) -> str:
    """``value`` if it is a usable secret; otherwise raise :class:`SecretMissing` naming ``name``."""
    if not value:
        raise SecretMissing(
            f"{name} is not set; every secret is required and has no default "
            f"(./tuoguan up generates them for a development install)"
        )
    if hashlib.sha256(value.encode()).hexdigest() in _KNOWN_SHA256 or _is_placeholder(value):
        raise SecretMissing(f"{name} is a known, public value; generate a new one")
    if len(value) < min_length:
        raise SecretMissing(f"{name} is {len(value)} characters; at least {min_length} are required")
    return value


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return "change-me" in lowered or "changeme" in lowered or len(set(value)) < 8


def required(name: str, *, min_length: int = MIN_LENGTH) -> str:
    """The secret in environment variable ``name``, checked by :func:`check`."""
    return check(name, os.environ.get(name), min_length=min_length)
