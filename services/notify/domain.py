"""Message texts, zh-CN by default: short, and about one child."""

from __future__ import annotations

from shared.contracts.attendance import (
    CheckInRefused, ChildCheckedIn, ChildPickedUp, LatePickupEscalated, PickupCodeIssued, PickupRefused,
)
from shared.contracts.enrollment import BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled
from shared.envelope import Event
from shared.timezones import LOCAL_TIME

# Safety alerts go out whatever a guardian's preferences say.
SAFETY_ALERTS = (CheckInRefused, PickupRefused, LatePickupEscalated, PickupCodeIssued)


def _clock(at) -> str:
    return f"{at.astimezone(LOCAL_TIME):%H:%M}"


def _span(days) -> str:
    first, last = days[0], days[-1]
    return f"{first:%m月%d日}" if first == last else f"{first:%m月%d日}–{last:%m月%d日}"


def message(event: Event, child_name: str) -> str | None:
    """The text a guardian gets about ``event``, or None when it is not worth a message."""
    match event:
        case ChildEnrolled():
            return f"{child_name} 已报名托管班，共 {len(event.days)} 天（{_span(event.days)}）。"
        case BookingWaitlisted():
            first = event.places[0]
            more = f"等 {len(event.places)} 天" if len(event.places) > 1 else ""
            return f"{child_name} 在 {first.day:%m月%d日}{more}候补，排第 {first.position} 位。"
        case BookingPromoted():
            return f"好消息：{child_name} 候补成功，获得 {len(event.days)} 天名额（{_span(event.days)}）。"
        case BookingCancelled():
            return f"{child_name} 的托管预订已取消。"
        case ChildCheckedIn():
            return f"{child_name} {_clock(event.at)} 已入园，晨检正常。"
        case CheckInRefused():
            return f"{child_name} 晨检未通过，今日未能入园，请尽快联系托管点。"
        case PickupCodeIssued():
            return (f"{event.adult_name} 正在接 {child_name}。接送验证码 {event.code}，"
                    f"请告知接送人，{_clock(event.expires_at)} 前有效。非本人请勿转告。")
        case PickupRefused():
            return f"提醒：有人接 {child_name} 未通过核验（{event.reason}），孩子仍在托管点。"
        case ChildPickedUp():
            return f"{child_name} {_clock(event.at)} 已由 {event.adult_name} 接走。"
        case LatePickupEscalated() if event.audience == "guardians":
            return f"{child_name} 仍在托管点，已过离园时间，请尽快来接。"
    return None
