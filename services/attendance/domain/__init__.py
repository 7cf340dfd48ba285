"""Attendance rules with no I/O: health screening (screening.py), staffing ratios (staffing.py),
site hours (hours.py), pick-up codes (codes.py); the commands (commands.py); and the domain's
refusals, here."""

from __future__ import annotations

from shared.errors import Conflict, Gone, Invalid, Locked, NotAllowed


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
