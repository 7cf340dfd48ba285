"""Attendance rules with no I/O: health screening, staffing ratios, site hours, pick-up codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from shared.errors import Conflict, Gone, Invalid, Locked, NotAllowed
from shared.timezones import LOCAL_TIME

FEVER_C = 37.3
# Symptoms that keep a child at home whatever the thermometer says.
EXCLUDING_SYMPTOMS = frozenset({"fever", "cough", "vomiting", "diarrhoea", "rash", "conjunctivitis"})
# Children one member of staff may look after, by class type.
CHILDREN_PER_STAFF = {"infant": 5, "kindergarten": 15, "school_age": 20}
DEFAULT_CHILDREN_PER_STAFF = 15  # a class type not listed above
CODE_TTL = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 3  # per attempt: the attempt locks
# Per child per day, across attempts: the child's pick-up locks until union staff release it.
MAX_WRONG_CODES_PER_DAY = 5
MAX_PICKUP_ATTEMPTS_PER_DAY = 5


def screening_refusal(temperature_c: float, symptoms: list[str]) -> str | None:
    """Why a child may not come in today, or None when the screening passes."""
    if temperature_c >= FEVER_C:
        return f"temperature {temperature_c:.1f} °C is {FEVER_C} °C or above"
    listed = sorted(set(symptoms) & EXCLUDING_SYMPTOMS)
    if listed:
        return "symptoms: " + ", ".join(listed)
    return None


def children_per_staff(class_type: str) -> int:
    return CHILDREN_PER_STAFF.get(class_type, DEFAULT_CHILDREN_PER_STAFF)


def ratio_exceeded(class_type: str, present: int, staff: int) -> bool:
    return present > staff * children_per_staff(class_type)


@dataclass(frozen=True)
class SiteHours:
    checkin_cutoff: dt.time = dt.time(9, 30)
    closing: dt.time = dt.time(17, 30)
    grace_minutes: int = 15
    escalation_interval_s: int = 15 * 60

    def cutoff_at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.checkin_cutoff, LOCAL_TIME)

    def escalation_at(self, day: dt.date, step: int) -> dt.datetime:
        """When late pick-up step 1, 2 or 3 falls due."""
        closing = dt.datetime.combine(day, self.closing, LOCAL_TIME)
        return closing + dt.timedelta(minutes=self.grace_minutes, seconds=(step - 1) * self.escalation_interval_s)

    def due_at(self, kind: str, day: dt.date, step: int) -> dt.datetime:
        """When a timer falls due: the absence check at the cut-off, a late pick-up step after closing."""
        return self.cutoff_at(day) if kind == "absence" else self.escalation_at(day, step)


ESCALATION = {1: "guardians", 2: "emergency_contact", 3: "site_lead"}


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(LOCAL_TIME).date()


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


class NotAtSite(Conflict):
    """The child is not (booked, or checked in) at a site today."""


class EntryRefused(Invalid):
    """The health screening keeps the child at home."""


class AlreadyPickedUp(Conflict):
    """The child has already gone home today."""


class PickupNotAuthorised(NotAllowed):
    """The adult who came is not on the child's list."""


class PickupLocked(Locked):
    """Too many attempts or wrong codes: union staff must release the child's pick-up."""


class AttemptClosed(Conflict):
    """The pick-up attempt is no longer pending."""


class CodeExpired(Gone):
    """The pick-up code lived its ten minutes."""


class WrongCode(Invalid):
    """The code shown is not the attempt's."""


class NotLockedToday(Conflict):
    """There is no lock on the child's pick-up to release."""
