"""Pick-up codes: one-time, short-lived, stored only as a hash; wrong codes and attempts are capped."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

CODE_TTL = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 3  # per attempt: the attempt locks
# Per child per day, across attempts: the child's pick-up locks until union staff release it.
MAX_WRONG_CODES_PER_DAY = 5
MAX_PICKUP_ATTEMPTS_PER_DAY = 5


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(code: str, attempt_id: str) -> str:
    return hashlib.sha256(f"{attempt_id}:{code}".encode()).hexdigest()


def daily_refusal(attempts_today: int, wrong_codes_today: int, *, starting: bool) -> str | None:
    """Why no further code (nor, when ``starting``, a new attempt) may be tried for a child today,
    or None. The counts run from the day's start, or from union staff's last release."""
    if wrong_codes_today >= MAX_WRONG_CODES_PER_DAY:
        return f"{wrong_codes_today} wrong codes today; pick-up is locked until union staff release it"
    if starting and attempts_today >= MAX_PICKUP_ATTEMPTS_PER_DAY:
        return f"{attempts_today} pick-up attempts today; pick-up is locked until union staff release it"
    return None


def code_matches(code: str, attempt_id: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_code(code, attempt_id), stored_hash)
