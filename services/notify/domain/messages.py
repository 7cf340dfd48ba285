"""The words a guardian reads, in zh-CN or English. No I/O."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias, get_args

from services.notify.domain.codes import CODE_SLOT
from shared.contracts.attendance import (
    CheckInRefused,
    ChildAbsent,
    ChildCheckedIn,
    ChildPickedUp,
    IncidentReported,
    LatePickupEscalated,
    OutingConsentRequested,
    PickupCodeIssued,
    PickupRefused,
)
from shared.contracts.enrollment import (
    ABSENCE_REPORTED,
    BookingCancelled,
    BookingChanged,
    BookingPromoted,
    BookingWaitlisted,
    ChangedBy,
    ChildEnrolled,
    ChildUpdated,
    PriorityRejected,
    PriorityVerified,
)
from shared.contracts.subsidy import (
    PaymentReceived,
    RefundIssued,
    StatementIssued,
    SubsidyApproved,
    SubsidyRejected,
)
from shared.envelope import Event
from shared.money import yuan
from shared.timezones import LOCAL_TIME

# The events a guardian is told of: each has its words in ``message``.
Told: TypeAlias = (
    ChildEnrolled
    | BookingWaitlisted
    | BookingPromoted
    | BookingCancelled
    | BookingChanged
    | PriorityVerified
    | PriorityRejected
    | ChildUpdated
    | ChildCheckedIn
    | CheckInRefused
    | PickupCodeIssued
    | PickupRefused
    | ChildPickedUp
    | LatePickupEscalated
    | SubsidyApproved
    | IncidentReported
    | OutingConsentRequested
    | ChildAbsent
    | SubsidyRejected
    | StatementIssued
    | PaymentReceived
    | RefundIssued
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


# Why the rules refused a subsidy (SubsidyRejected.reason_code), in the guardian's words; a refusal
# by union staff has no code and is told in the staff's own words.
SUBSIDY_REFUSALS = {
    "fund_exhausted": {
        "en": "the union's subsidy fund has run out",
        "zh-CN": "工会补贴资金已用完",
    },
    "programme_cap_reached": {
        "en": "the subsidy limit for this programme has been reached",
        "zh-CN": "本期托管班的补贴额度已用完",
    },
}


def _rejection(event: SubsidyRejected, child: str, en: bool) -> str:
    lang = "en" if en else "zh-CN"
    why = SUBSIDY_REFUSALS[event.reason_code][lang] if event.reason_code else event.reason.strip()
    if en:
        return f"The childcare subsidy for {child} was not granted: {why}. The booking itself is not affected."
    return f"{child} 的托管费补贴未获批准，原因：{why}。预订不受影响。"


# Who changed or cancelled a booking (BookingChanged.by / BookingCancelled.by), in the guardian's words.
CHANGED_BY: dict[ChangedBy, dict[str, str]] = {
    "parent": {"en": "by a guardian", "zh-CN": "由家长操作"},
    "union_staff": {"en": "by union staff", "zh-CN": "由工会工作人员操作"},
    "provider_staff": {"en": "by the care provider", "zh-CN": "由托管机构操作"},
    "admin": {"en": "by the platform administrator", "zh-CN": "由平台管理员操作"},
    "system": {"en": "automatically", "zh-CN": "由系统自动处理"},
}
# What of a child's record changed (ChildUpdated.changed), in the guardian's words.
CHILD_PARTS = {
    "guardians": {"en": "guardians", "zh-CN": "监护人"},
    "authorised_adults": {"en": "pick-up adults", "zh-CN": "授权接送人"},
    "emergency_contact": {"en": "emergency contact", "zh-CN": "紧急联系人"},
    "health_notes": {"en": "health and allergy notes", "zh-CN": "健康与过敏信息"},
}
CATEGORIES = {
    "gig": {"en": "gig worker", "zh-CN": "新就业形态劳动者"},
    "migrant": {"en": "migrant worker", "zh-CN": "农民工"},
    "hardship": {"en": "hardship", "zh-CN": "困难职工"},
    "model_worker": {"en": "model worker", "zh-CN": "劳动模范"},
    "dual_worker": {"en": "dual-worker family", "zh-CN": "双职工家庭"},
    "regular": {"en": "regular member", "zh-CN": "普通会员"},
}


def _by(by: ChangedBy | None, en: bool) -> str:
    if by is None:
        return ""
    return f" ({CHANGED_BY[by]['en']})" if en else f"（{CHANGED_BY[by]['zh-CN']}）"


def _record_changed(event: ChildUpdated, child: str, en: bool) -> str:
    """Which parts of the child's record changed, by whom (a guardian by name), and who joined or left."""
    lang = "en" if en else "zh-CN"
    parts = (", " if en else "、").join(CHILD_PARTS[p][lang] for p in event.changed)
    named = f" (by {event.by_name})" if en else f"（由 {event.by_name} 操作）"
    by = named if event.by_name else _by(event.by, en)
    if en:
        joined = f" {event.guardian_added} is now a guardian." if event.guardian_added else ""
        left = f" {event.guardian_removed} is no longer a guardian." if event.guardian_removed else ""
        return f"{child}'s record was updated{by}: {parts}.{joined}{left}"
    joined = f"{event.guardian_added} 已成为监护人。" if event.guardian_added else ""
    left = f"{event.guardian_removed} 已不再是监护人。" if event.guardian_removed else ""
    return f"{child} 的档案已更新{by}：{parts}。{joined}{left}"


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
            got = (
                f"Good news: {child} got a place for {len(event.days)} days ({_span(event.days, en)})."
                if en
                else f"好消息：{child} 候补成功，获得 {len(event.days)} 天名额（{_span(event.days, en)}）。"
            )
            if event.accept_by is None:
                return got
            at = event.accept_by.astimezone(LOCAL_TIME)
            return (
                f"{got} Accept or release it by {at:%d %b} {_clock(at)}; otherwise it goes to the next child."
                if en
                else f"{got}请在 {at:%m月%d日} {_clock(at)} 前确认或放弃，逾期名额将顺延给下一位。"
            )
        case BookingCancelled():
            return (
                f"{child}'s booking is cancelled{_by(event.by, en)}."
                if en
                else f"{child} 的托管预订已取消{_by(event.by, en)}。"
            )
        case BookingChanged() if event.reason == ABSENCE_REPORTED:
            return (
                f"{child} is reported absent{_by(event.by, en)} on {_span(event.removed_days, en)}; "
                f"the seat goes to the next child and the day is not charged."
                if en
                else f"已为 {child} 报告缺勤{_by(event.by, en)}：{_span(event.removed_days, en)}，"
                f"名额将让给候补的孩子，当天不收费。"
            )
        case BookingChanged():
            return (
                f"{child}'s booking changed{_by(event.by, en)}: {len(event.removed_days)} days given up "
                f"({_span(event.removed_days, en)})."
                if en
                else f"{child} 的托管预订已变更{_by(event.by, en)}：取消 {len(event.removed_days)} 天"
                f"（{_span(event.removed_days, en)}）。"
            )
        case ChildUpdated():
            return _record_changed(event, child, en)
        case PriorityVerified():
            what = CATEGORIES[event.category]["en" if en else "zh-CN"]
            return (
                f"{child}'s priority as a {what} family is verified ({event.reason}); it counts for bookings "
                f"made from now on."
                if en
                else f"{child} 的优先资格（{what}）已审核通过（{event.reason}），适用于此后的预订。"
            )
        case PriorityRejected():
            what = CATEGORIES[event.category]["en" if en else "zh-CN"]
            return (
                f"{child}'s priority claim as a {what} family was not accepted: {event.reason}."
                if en
                else f"{child} 的优先资格申请（{what}）未通过：{event.reason}。"
            )
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
        case ChildAbsent():
            return (
                f"{child} was not checked in by today's cut-off ({event.day:%d %b}) and is marked absent. "
                f"If {child} should be at the site, contact the site now."
                if en
                else f"{child} 今日（{event.day:%m月%d日}）截止时间前未签到，已记为缺勤。如孩子应在托管点，请立即联系托管点。"
            )
        case SubsidyRejected():
            return _rejection(event, child, en)
        case StatementIssued():
            fee, subsidy, family, due = (
                yuan(event.fee_fen),
                yuan(event.subsidy_fen),
                yuan(event.family_fen),
                yuan(event.balance_fen),
            )
            return (
                f"{child}'s childcare statement (revision {event.revision}): fee {fee}, subsidy {subsidy}, "
                f"you pay {family}; {due} still to pay."
                if en
                else f"{child} 的托管费账单（第 {event.revision} 版）：费用 {fee}，补贴 {subsidy}，家庭支付 {family}，"
                f"尚需支付 {due}。"
            )
        case PaymentReceived():
            paid, due = yuan(event.amount_fen), yuan(event.balance_fen)
            return (
                f"We received {paid} for {child}'s childcare; {due} still to pay."
                if en
                else f"已收到 {child} 的托管费 {paid}，尚需支付 {due}。"
            )
        case RefundIssued():
            return (
                f"A refund of {yuan(event.amount_fen)} for {child}'s childcare is on its way to you."
                if en
                else f"{child} 的托管费退款 {yuan(event.amount_fen)} 已退回。"
            )
        case LatePickupEscalated() if event.audience == "guardians":
            return (
                f"{child} is still at the site after closing time. Please come now."
                if en
                else f"{child} 仍在托管点，已过离园时间，请尽快来接。"
            )
    return None
