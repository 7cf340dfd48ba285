"""A site's hours: the check-in cut-off, closing, and the late pick-up escalation after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.timezones import LOCAL_TIME


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
