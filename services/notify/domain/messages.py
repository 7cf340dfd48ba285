"""The words a guardian reads, in zh-CN or English. No I/O."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias, get_args

from services.notify.domain.codes import CODE_SLOT
from shared.contracts.attendance import (
    CheckInRefused,
    ChildCheckedIn,
    ChildPickedUp,
    IncidentReported,
    LatePickupEscalated,
    OutingConsentRequested,
    PickupCodeIssued,
    PickupRefused,
)
from shared.contracts.enrollment import BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled
from shared.contracts.subsidy import SubsidyApproved
from shared.envelope import Event
from shared.money import yuan
from shared.timezones import LOCAL_TIME

# The events a guardian is told of: each has its words in ``message``.
Told: TypeAlias = (
    ChildEnrolled
    | BookingWaitlisted
    | BookingPromoted
    | BookingCancelled
    | ChildCheckedIn
    | CheckInRefused
    | PickupCodeIssued
    | PickupRefused
    | ChildPickedUp
    | LatePickupEscalated
    | SubsidyApproved
    | IncidentReported
    | OutingConsentRequested
)
TOLD: tuple[type[Event], ...] = get_args(Told)  # the same, as classes to subscribe to


def confirmation_message(language: str, expires_at: dt.datetime) -> str:
    """The only text an unconfirmed address is sent; the code goes in the slot."""
    return (
        f"Your Tuoguan confirmation code is {CODE_SLOT}, valid until {_clock(expires_at)}. Enter it in the "
        f"app to receive childcare notices here. If you did not ask for this, ignore it."
        if language == "en"
        else f"托管班验证码 {CODE_SLOT}，{_clock(expires_at)} 前有效。在应用中输入即可在此接收托管通知；"
        f"非本人操作请忽略。"
    )


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


# What kind of incident it was, in the guardian's words (IncidentReported.kind is a code).
INCIDENT_KINDS = {
    "injury": {"en": "an injury", "zh-CN": "受伤"},
    "illness": {"en": "feeling unwell", "zh-CN": "身体不适"},
    "allergic_reaction": {"en": "an allergic reaction", "zh-CN": "过敏反应"},
    "lost_or_missing": {"en": "went missing for a while", "zh-CN": "短暂走失"},
    "altercation": {"en": "a conflict with another child", "zh-CN": "与其他孩子发生冲突"},
    "other": {"en": "other", "zh-CN": "其他"},
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
        case IncidentReported():
            aid = ("; first aid was given" if en else "，已做急救处理") if event.first_aid_given else ""
            return (
                f"Safety alert: {child} had an incident at the site at {_clock(event.at)} "
                f"({INCIDENT_KINDS[event.kind]['en']}){aid}. Please contact the site now."
                if en
                else f"安全提醒：{child} {_clock(event.at)} 在托管点发生意外（{INCIDENT_KINDS[event.kind]['zh-CN']}）{aid}。"
                f"请尽快联系托管点。"
            )
        case OutingConsentRequested():
            hours = f"{event.leaves_at:%H:%M}–{event.returns_at:%H:%M}"
            return (
                f"{child}'s class plans an outing to {event.destination} on {event.day:%d %b} ({hours}). Please "
                f"consent or decline in the app; without consent {child} stays at the site with a teacher."
                if en
                else f"{child} 所在班级计划 {event.day:%m月%d日}（{hours}）外出活动：{event.destination}。"
                f"请在应用中确认是否同意；未同意的孩子由老师在托管点照看。"
            )
        case LatePickupEscalated() if event.audience == "guardians":
            return (
                f"{child} is still at the site after closing time. Please come now."
                if en
                else f"{child} 仍在托管点，已过离园时间，请尽快来接。"
            )
    return None
