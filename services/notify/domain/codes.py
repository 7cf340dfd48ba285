"""One-time codes: an address's confirmation code (kept hashed) and a pick-up code (kept sealed),
and the slot in a stored message where a code goes. No I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from shared.sealed import unseal

CODE_SLOT = "{pickup_code}"  # where a pick-up code (or an address's confirmation code) goes in a stored message
CONFIRMATION = "address.confirmation"  # the source type of a confirmation code's message
CODE_WITHHELD = {
    "expired": {"en": "(expired)", "zh-CN": "（已过期）"},
    "hidden": {"en": "(hidden)", "zh-CN": "（仅家长可见）"},
}


def new_code() -> str:
    """A six-digit one-time code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(code: str, address_id: str) -> str:
    return hashlib.sha256(f"{address_id}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class PendingCode:
    """The confirmation code an address is waiting for, as notify keeps it (hashed)."""

    code_hash: str | None
    expires_at: dt.datetime | None
    wrong_codes: int


CodeVerdict = Literal["confirmed", "wrong", "expired", "spent"]


def check_code(code: str, address_id: str, pending: PendingCode, *, max_wrong: int, now: dt.datetime) -> CodeVerdict:
    """Whether ``code`` confirms the address. ``spent``: no code is outstanding, or too many wrong
    ones were tried against it; only a new code can confirm the address then."""
    if pending.code_hash is None or pending.expires_at is None or pending.wrong_codes >= max_wrong:
        return "spent"
    if now >= pending.expires_at:
        return "expired"
    if not hmac.compare_digest(hash_code(code, address_id), pending.code_hash):
        return "wrong"
    return "confirmed"


@dataclass(frozen=True)
class SealedCode:
    """A pick-up code as notify keeps it: sealed, until it expires (then blanked: ``sealed`` is None)."""

    sealed: str | None
    expires_at: dt.datetime | None


NO_CODE = SealedCode(None, None)


def with_code(body: str, language: str, code: SealedCode, *, private_key: str, reveal: bool, now: dt.datetime) -> str:
    """``body`` with its code slot filled: the code itself only when ``reveal`` and it has not
    expired, else a word saying it is hidden or expired. Bodies without a slot are returned as they are."""
    if CODE_SLOT not in body:
        return body
    lang = "en" if language == "en" else "zh-CN"
    if not reveal:
        return body.replace(CODE_SLOT, CODE_WITHHELD["hidden"][lang])
    if code.sealed is None or code.expires_at is None or now >= code.expires_at:
        return body.replace(CODE_SLOT, CODE_WITHHELD["expired"][lang])
    return body.replace(CODE_SLOT, unseal(private_key, code.sealed))
