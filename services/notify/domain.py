"""What to tell whom, on which channel, when, and in which words. No I/O.

- Each guardian gets one notification per channel they have (in-app, email, SMS, WeChat) and per
  webhook endpoint they registered with notify.
- Preferences: mute kinds of event, choose channels, set quiet hours, pick zh-CN or English.
- Safety alerts (a failed health screening, a refused pick-up, a late pick-up, the pick-up code)
  ignore muting, channel choices and quiet hours.
- Quiet hours hold routine messages on outside channels until they end; the in-app inbox is silent
  and always gets the message at once.
- Outside addresses (e-mail, SMS, WeChat, webhook) get notifications only once the guardian has
  confirmed them with the one-time code sent there; until then they get that code and nothing
  else, and the guardian is told in-app only. In-app needs no confirmation, so safety alerts
  always reach the guardian somewhere.
- A pick-up code arrives sealed to notify's key. The stored text has a slot where the code goes;
  the code is put in only for the guardian (on their channel, or in their own inbox before it
  expires), never for an admin reading the inbox, and never after it expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from shared.contracts.attendance import (
    CheckInRefused,
    ChildCheckedIn,
    ChildPickedUp,
    LatePickupEscalated,
    PickupCodeIssued,
    PickupRefused,
)
from shared.contracts.enrollment import BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled
from shared.contracts.subsidy import SubsidyApproved
from shared.envelope import Event
from shared.money import yuan
from shared.sealed import unseal
from shared.timezones import LOCAL_TIME

SAFETY_ALERTS = (CheckInRefused, PickupRefused, LatePickupEscalated, PickupCodeIssued)
CODE_SLOT = "{pickup_code}"  # where a pick-up code (or an address's confirmation code) goes in a stored message
CONFIRMATION = "address.confirmation"  # the source type of a confirmation code's message
CODE_WITHHELD = {
    "expired": {"en": "(expired)", "zh-CN": "（已过期）"},
    "hidden": {"en": "(hidden)", "zh-CN": "（仅家长可见）"},
}


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


def reachable(confirmed: list[Address]) -> list[Address]:
    """Where a guardian may be told: in-app always, and each outside address they confirmed."""
    return [{"kind": "inapp", "address": "app"}, *confirmed]


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


def confirmation_message(language: str, expires_at: dt.datetime) -> str:
    """The only text an unconfirmed address is sent; the code goes in the slot."""
    return (
        f"Your Tuoguan confirmation code is {CODE_SLOT}, valid until {_clock(expires_at)}. Enter it in the "
        f"app to receive childcare notices here. If you did not ask for this, ignore it."
        if language == "en"
        else f"托管班验证码 {CODE_SLOT}，{_clock(expires_at)} 前有效。在应用中输入即可在此接收托管通知；"
        f"非本人操作请忽略。"
    )


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


def _span(days: tuple[dt.date, ...], en: bool) -> str:
    first, last = days[0], days[-1]
    fmt = "%d %b" if en else "%m月%d日"
    return f"{first:{fmt}}" if first == last else f"{first:{fmt}}–{last:{fmt}}"


def _clock(at: dt.datetime) -> str:
    return f"{at.astimezone(LOCAL_TIME):%H:%M}"


# Why a pick-up was refused, in the guardian's words (PickupRefused.reason is a code).
PICKUP_REFUSALS = {
    "not_authorised": {"en": "not an authorised adult", "zh-CN": "不是授权接送人"},
    "wrong_code": {"en": "wrong pick-up code", "zh-CN": "验证码错误"},
    "expired": {"en": "the pick-up code had expired", "zh-CN": "验证码已过期"},
    "too_many_attempts": {"en": "too many wrong codes", "zh-CN": "验证码错误次数过多"},
}


def message(event: Event, child: str, language: str = "zh-CN") -> str | None:
    """The text about ``event``, or None when it is not worth a message."""
    en = language == "en"
    match event:
        case ChildEnrolled():
            return (
                f"{child} is enrolled for {len(event.days)} days ({_span(event.days, en)})."
                if en
                else f"{child} 已报名托管班，共 {len(event.days)} 天（{_span(event.days, en)}）。"
            )
        case BookingWaitlisted():
            first = event.places[0]
            if en:
                return f"{child} is on the waitlist for {first.day:%d %b}, position {first.position}."
            more = f"等 {len(event.places)} 天" if len(event.places) > 1 else ""
            return f"{child} 在 {first.day:%m月%d日}{more}候补，排第 {first.position} 位。"
        case BookingPromoted():
            return (
                f"Good news: {child} got a place for {len(event.days)} days ({_span(event.days, en)})."
                if en
                else f"好消息：{child} 候补成功，获得 {len(event.days)} 天名额（{_span(event.days, en)}）。"
            )
        case BookingCancelled():
            return f"{child}'s booking is cancelled." if en else f"{child} 的托管预订已取消。"
        case ChildCheckedIn():
            return (
                f"{child} checked in at {_clock(event.at)}; health check passed."
                if en
                else f"{child} {_clock(event.at)} 已入园，晨检正常。"
            )
        case CheckInRefused():
            return (
                f"{child} did not pass the health check and could not stay today. Please contact the site."
                if en
                else f"{child} 晨检未通过，今日未能入园，请尽快联系托管点。"
            )
        case PickupCodeIssued():
            return (
                f"{event.adult_name} is collecting {child}. Pick-up code {CODE_SLOT}, valid until "
                f"{_clock(event.expires_at)}. Give it only to {event.adult_name}."
                if en
                else f"{event.adult_name} 正在接 {child}。接送验证码 {CODE_SLOT}，"
                f"请告知接送人，{_clock(event.expires_at)} 前有效。非本人请勿转告。"
            )
        case PickupRefused():
            why = PICKUP_REFUSALS[event.reason]["en" if en else "zh-CN"]
            return (
                f"Alert: a pick-up of {child} was refused ({why}); {child} stays at the site."
                if en
                else f"提醒：有人接 {child} 未通过核验（{why}），孩子仍在托管点。"
            )
        case ChildPickedUp():
            return (
                f"{child} was picked up at {_clock(event.at)} by {event.adult_name}."
                if en
                else f"{child} {_clock(event.at)} 已由 {event.adult_name} 接走。"
            )
        case SubsidyApproved():
            amount = yuan(event.amount_fen)
            return (
                f"A childcare subsidy of {amount} for {child} is approved."
                if en
                else f"{child} 的托管费补贴 {amount} 已批准。"
            )
        case LatePickupEscalated() if event.audience == "guardians":
            return (
                f"{child} is still at the site after closing time. Please come now."
                if en
                else f"{child} 仍在托管点，已过离园时间，请尽快来接。"
            )
    return None


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
