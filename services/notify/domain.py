"""Message texts (zh-CN by default)."""

from __future__ import annotations

from shared.contracts.enrollment import ChildEnrolled


def enrolled_message(event: ChildEnrolled) -> str:
    first, last = event.days[0], event.days[-1]
    return f"{event.child_display_name} 已报名托管班，共 {len(event.days)} 天（{first:%m月%d日}–{last:%m月%d日}）。"
