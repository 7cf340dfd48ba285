"""Who is told on which channel, and when: preferences, safety alerts, quiet hours. No I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.contracts.attendance import (
    CheckInRefused,
    IncidentReported,
    LatePickupEscalated,
    PickupCodeIssued,
    PickupRefused,
)
from shared.envelope import Event
from shared.timezones import LOCAL_TIME

SAFETY_ALERTS = (CheckInRefused, PickupRefused, LatePickupEscalated, PickupCodeIssued, IncidentReported)


@dataclass(frozen=True)
class Preferences:
    muted_kinds: tuple[str, ...] = ()
    channels: tuple[str, ...] | None = None
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    language: str = "zh-CN"


Address = Mapping[str, str]  # a guardian's channel: ``kind`` and ``address``


@dataclass(frozen=True)
class Planned:
    channel: str
    address: str
    due_at: dt.datetime


def plan(event: Event, channels: list[Address], prefs: Preferences, now: dt.datetime) -> list[Planned]:
    """The notifications one guardian gets for ``event``."""
    safety = isinstance(event, SAFETY_ALERTS)
    if not safety and event.TYPE in prefs.muted_kinds:
        return []
    planned = []
    for channel in channels:
        kind = channel["kind"]
        if not safety and kind != "inapp" and prefs.channels is not None and kind not in prefs.channels:
            continue
        due = now if safety or kind == "inapp" else quiet_until(prefs, now)
        planned.append(Planned(kind, channel["address"], due))
    return planned


def reachable(confirmed: Sequence[Address]) -> list[Address]:
    """Where a guardian may be told: in-app always, and each outside address they confirmed."""
    return [{"kind": "inapp", "address": "app"}, *confirmed]


def quiet_until(prefs: Preferences, now: dt.datetime) -> dt.datetime:
    """``now``, or the end of the quiet hours ``now`` falls in."""
    if prefs.quiet_start is None or prefs.quiet_end is None or prefs.quiet_start == prefs.quiet_end:
        return now
    local = now.astimezone(LOCAL_TIME)
    start, end, t = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return now
    end_day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(end_day, end, LOCAL_TIME)
