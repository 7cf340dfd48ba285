"""Message texts, zh-CN by default: short, and about one child."""

from __future__ import annotations

from shared.contracts.enrollment import BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled
from shared.envelope import Event


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
    return None
